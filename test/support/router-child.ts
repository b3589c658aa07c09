/**
 * A router process for tests that kill it: the test settings plus the sink
 * channel. Prints one JSON line `{"url": …}` on stdout once it serves.
 * Env: DATA_DIR, SINK_URL, DATABASE_URL (optional), SYNC (full|normal), LEASE (lease timeout, e.g. 4s).
 */
import { startApp } from '../../src/app.ts';
import { createLogger } from '../../src/log.ts';
import { routerFile } from '../../src/settings/schema.ts';
import { testSettings } from './settings.ts';
import { sinkDefinition } from './sink-adapter.ts';

const log = createLogger({ part: 'child' });
const settings = testSettings({
  channels: { sink: { enabled: true, settings: { sinkUrl: process.env.SINK_URL } } },
  router: routerFile.parse({
    store: { synchronous: process.env.SYNC === 'normal' ? 'normal' : 'full' },
    // With PostgreSQL a restarted instance is a new lease owner: what the dead one held comes back when its lease runs out.
    ...(process.env.LEASE
      ? { pipeline: { leaseTimeout: process.env.LEASE }, outbox: { leaseTimeout: process.env.LEASE } }
      : {}),
  }),
});
const app = await startApp({
  settings,
  adapters: { sink: sinkDefinition },
  dataDir: process.env.DATA_DIR ?? '.tmp/child',
  databaseUrl: process.env.DATABASE_URL || null,
  port: 0,
  log,
});
process.stdout.write(`${JSON.stringify({ url: app.url })}\n`);
const stop = () => void app.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
