/**
 * A router process for tests that kill it: the test settings plus one channel.
 * Prints one JSON line `{"url": …}` on stdout once it serves.
 * Env: DATA_DIR, DATABASE_URL (optional), SYNC (full|normal), LEASE (lease timeout, e.g. 4s), UNCONFIRMED (resend|hold);
 * CHANNEL=sink (default) with SINK_URL, SINK_IDEMPOTENT (0 to turn the provider's nonce dedupe off) and
 * SINK_LOOKUP (1 to let the core look sends up); CHANNEL=sms with TWILIO_API_URL (the real Twilio adapter and client).
 */
import { smsDefinition } from '../../adapters/twilio/definition.ts';
import { smsSettings } from '../../adapters/twilio/settings.ts';
import { startApp } from '../../src/app.ts';
import type { AdapterRegistry } from '../../src/channel/contract.ts';
import { createLogger } from '../../src/log.ts';
import { routerFile } from '../../src/settings/schema.ts';
import type { Settings } from '../../src/settings/types.ts';
import { CHILD_TWILIO } from './crash-load.ts';
import { testSettings } from './settings.ts';
import { sinkDefinition } from './sink-adapter.ts';

const log = createLogger({ part: 'child' });
const env = process.env;

function channel(): { channels: Settings['channels']; adapters: AdapterRegistry } {
  if (env.CHANNEL === 'sms') {
    const settings = smsSettings.parse({
      accountSid: CHILD_TWILIO.accountSid,
      authToken: CHILD_TWILIO.authToken,
      apiBaseUrl: env.TWILIO_API_URL,
      // Fast enough that the load keeps many sends in flight when the process is killed.
      numbers: [{ number: CHILD_TWILIO.number, kind: 'longcode', ratePerSecond: 500 }],
      statusCallback: false,
    });
    return { channels: { sms: { enabled: true, settings } }, adapters: { sms: smsDefinition } };
  }
  const settings = {
    sinkUrl: env.SINK_URL,
    idempotent: env.SINK_IDEMPOTENT !== '0',
    lookup: env.SINK_LOOKUP === '1',
  };
  return { channels: { sink: { enabled: true, settings } }, adapters: { sink: sinkDefinition } };
}

const { channels, adapters } = channel();
const lease = env.LEASE ? { leaseTimeout: env.LEASE } : {};
const settings = testSettings({
  channels,
  router: routerFile.parse({
    store: { synchronous: env.SYNC === 'normal' ? 'normal' : 'full' },
    // With PostgreSQL a restarted instance is a new lease owner: what the dead one held comes back when its lease runs out.
    pipeline: lease,
    outbox: { ...lease, ...(env.UNCONFIRMED ? { unconfirmed: env.UNCONFIRMED } : {}) },
  }),
});
const app = await startApp({
  settings,
  adapters,
  dataDir: env.DATA_DIR ?? '.tmp/child',
  databaseUrl: env.DATABASE_URL || null,
  port: 0,
  log,
});
process.stdout.write(`${JSON.stringify({ url: app.url })}\n`);
const stop = () => void app.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
