import { hostname } from 'node:os';
import type { AppOptions } from './app-types.ts';
import type { Clock } from './clock.ts';
import { newId } from './ids.ts';
import type { Logger } from './log.ts';
import { resumeErasures } from './privacy/erase.ts';
import { hasRetention } from './privacy/retention.ts';
import { resolveAdminToken } from './server/admin-token.ts';
import type { Store } from './store/contract.ts';
import { lockDataDir } from './store/data-dir-lock.ts';
import { openStore } from './store/open.ts';

export interface AppStore {
  store: Store;
  /** This router's name as a lease owner: `local` on SQLite (the only router), unique on PostgreSQL. */
  instance: string;
  /** Frees the data folder for the next router (SQLite). */
  unlock: () => void;
  adminToken: string;
  adminTokenGenerated: boolean;
}

/** Opens the router's store and makes it ready to route: leases back, the admin token known, erasures finished. */
export async function openAppStore(o: AppOptions, log: Logger, clock: Clock): Promise<AppStore> {
  const r = o.settings.router;
  const unlock = o.databaseUrl ? () => {} : lockDataDir(o.dataDir);
  const store = await openStore({
    databaseUrl: o.databaseUrl,
    dataDir: o.dataDir,
    synchronous: r.store.synchronous,
    backgroundCheckpoints: true,
    incrementalVacuum: hasRetention(o.settings.retention),
    log,
  });
  // With SQLite this process is the only router (the data-folder lock), so leases
  // left by a crashed predecessor are taken back at once instead of after they expire.
  const instance = store.kind === 'sqlite' ? 'local' : `${hostname()}:${process.pid}:${newId().slice(-6)}`;
  if (store.kind === 'sqlite') {
    for (const part of ['router', 'outbox', 'timers']) await store.releaseLeases(`${instance}:${part}`);
    await store.webhooks.releaseLeases(`${instance}:webhooks`);
  }
  const { token: adminToken, generated: adminTokenGenerated } = await resolveAdminToken(store, r.server.adminToken);
  // An erasure a crash or stop interrupted is finished before anything is routed or sent.
  const resumed = await resumeErasures(store, clock.now());
  if (resumed.length > 0) log.info({ contacts: resumed.length }, 'finished erasures an earlier stop interrupted');
  return { store, instance, unlock, adminToken, adminTokenGenerated };
}
