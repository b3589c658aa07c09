import { existsSync } from 'node:fs';
import { TouchpointError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import type { Store } from '../store/contract.ts';
import { type CliContext, databaseUrlOf, dataDirOf } from './context.ts';

/** Opens the store the router uses (DATABASE_URL, else the data folder), runs `fn`, and closes it. */
export async function withStore<T>(
  ctx: CliContext,
  dataFlag: string | undefined,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const databaseUrl = databaseUrlOf(ctx);
  const dataDir = dataDirOf(ctx, dataFlag);
  if (!databaseUrl && !existsSync(dataDir)) {
    throw new TouchpointError(
      'no_store',
      `there is no data folder at ${dataDir}: pass --data DIR, set TOUCHPOINT_DATA_DIR or DATABASE_URL, or run \`touchpoint start\` first`,
    );
  }
  const { openStore } = await import('../store/open.ts');
  const store = await openStore({ databaseUrl, dataDir, log: silentLogger });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
