/**
 * A router process for tests that kill it. Prints one JSON line `{"url": …}`
 * on stdout once it serves.
 * Env: DATA_DIR, DATABASE_URL (optional), PORT (default: any free port),
 * SINK_URL (adds the sink channel) with SINK_IDEMPOTENT (0 turns the provider's nonce dedupe off) and
 * SINK_LOOKUP (1 lets the core look sends up); CHANNEL=sms with TWILIO_API_URL (the real Twilio adapter and
 * client, on the crash tests' number); CHANNELS (JSON: channel name → `{rateLimit?, settings}`, the settings as
 * in channels.yaml, for the adapters this build ships); CONFIG=example (the business in config/ and flows/
 * instead of the small test one); ROUTER (JSON: router.yaml), SYNC (full|normal), LEASE (lease timeout, e.g. 4s),
 * UNCONFIRMED (resend|hold); SHARED_REDIS_URL with REDIS_PREFIX (limits and holds shared with the other instances;
 * not REDIS_URL, which children inherit from the test run).
 */
import { join } from 'node:path';
import { adapters as shipped } from '../../adapters/registry.ts';
import { startApp } from '../../src/app.ts';
import type { AdapterRegistry } from '../../src/channel/contract.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { createLogger } from '../../src/log.ts';
import { routerFile } from '../../src/settings/schema.ts';
import type { ChannelSettings, Settings } from '../../src/settings/types.ts';
import { CHILD_TWILIO } from './crash-load.ts';
import { testSettings } from './settings.ts';
import { sinkDefinition } from './sink-adapter.ts';

const log = createLogger({ part: 'child' });
const registry: AdapterRegistry = { ...shipped, sink: sinkDefinition };
const env = process.env;

const blocks = JSON.parse(env.CHANNELS || '{}') as Record<string, ChannelBlockJson>;
if (env.CHANNEL === 'sms') {
  blocks.sms = {
    settings: {
      accountSid: CHILD_TWILIO.accountSid,
      authToken: CHILD_TWILIO.authToken,
      apiBaseUrl: env.TWILIO_API_URL,
      // Fast enough that the load keeps many sends in flight when the process is killed.
      numbers: [{ number: CHILD_TWILIO.number, kind: 'longcode', ratePerSecond: 500 }],
      statusCallback: false,
    },
  };
}
const channels: Record<string, ChannelSettings> = {};
if (env.SINK_URL) {
  const sink = { sinkUrl: env.SINK_URL, idempotent: env.SINK_IDEMPOTENT !== '0', lookup: env.SINK_LOOKUP === '1' };
  channels.sink = { enabled: true, settings: sink };
}
for (const [name, block] of Object.entries(blocks)) {
  const def = registry[name];
  if (!def) throw new Error(`CHANNELS: no adapter for channel "${name}"`);
  channels[name] = { enabled: true, rateLimit: block.rateLimit, settings: def.settings.parse(block.settings) };
}

const given = JSON.parse(env.ROUTER || '{}') as Record<string, Record<string, unknown> | undefined>;
const lease = env.LEASE ? { leaseTimeout: env.LEASE } : {};
const router = routerFile.parse({
  ...given,
  store: { synchronous: env.SYNC === 'normal' ? 'normal' : 'full' },
  // With PostgreSQL a restarted instance is a new lease owner: what the dead one held comes back when its lease runs out.
  pipeline: { ...given.pipeline, ...lease },
  outbox: { ...given.outbox, ...lease, ...(env.UNCONFIRMED ? { unconfirmed: env.UNCONFIRMED } : {}) },
});

const settings: Settings =
  env.CONFIG === 'example' ? { ...exampleSettings(), channels, router } : testSettings({ channels, router });

const app = await startApp({
  settings,
  adapters: registry,
  dataDir: env.DATA_DIR ?? '.tmp/child',
  databaseUrl: env.DATABASE_URL || null,
  redisUrl: env.SHARED_REDIS_URL || null,
  ...(env.REDIS_PREFIX ? { redisPrefix: env.REDIS_PREFIX } : {}),
  port: Number(env.PORT ?? 0),
  log,
});
process.stdout.write(`${JSON.stringify({ url: app.url })}\n`);
const stop = () => void app.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

interface ChannelBlockJson {
  rateLimit?: ChannelSettings['rateLimit'];
  settings: unknown;
}

/** The example business as shipped (templates, intents, flows and the policy files of config/). */
function exampleSettings(): Settings {
  const root = join(import.meta.dirname, '..', '..');
  // No channel of config/channels.yaml is enabled without secrets: they are replaced by CHANNELS anyway.
  return loadConfig({ configDir: join(root, 'config'), flowsDir: join(root, 'flows'), adapters: registry, env: {} });
}
