import { VirtualClock } from '../clock.ts';
import { createLogger, logFormat } from '../log.ts';
import { helpOption, parseCommand, UsageError } from './args.ts';
import { type Command, configOptions, databaseUrlOf, dataDirOf, dataOption } from './context.ts';
import { loadConfig } from './load-config.ts';
import { waitForStopSignal } from './signals.ts';

const usage = `Usage: touchpoint start [--config DIR] [--flows DIR] [--data DIR]

Starts the router: loads and checks config/ and flows/, opens the store,
starts the channels and the HTTP server, and runs until SIGINT or SIGTERM.
SIGHUP (or \`touchpoint reload\`) loads config/ and flows/ again without a restart.

Options:
  --config DIR   settings folder (default: config)
  --flows DIR    flows folder (default: flows)
  --data DIR     data folder of the embedded store (default: $TOUCHPOINT_DATA_DIR or data)

Environment:
  PORT                     HTTP port (overrides router.yaml)
  TOUCHPOINT_HOST          address to listen on (overrides router.yaml; 0.0.0.0 in a container)
  DATABASE_URL             postgres://… to use PostgreSQL instead of the embedded store
  REDIS_URL                redis://…[/DB] to share sending rate limits between several routers
  TOUCHPOINT_REDIS_PREFIX  namespace of this deployment's Redis keys (default touchpoint)
  TOUCHPOINT_ADMIN_TOKEN   admin API token, when router.yaml sets none
  TOUCHPOINT_TEST_CLOCK    test mode: a virtual clock starting at this ISO time, moved by
                           POST /api/test/clock {"advance":"3d"} (never in production)
  LOG_LEVEL                log level (default info)`;

export const startCommand: Command = {
  usage,
  async run(args, ctx) {
    const { values, help } = parseCommand(args, { ...helpOption, ...configOptions, ...dataOption }, usage);
    if (help) {
      ctx.out.help(usage);
      return 0;
    }
    const port = portOf(ctx.env.PORT);
    const testClock = testClockOf(ctx.env.TOUCHPOINT_TEST_CLOCK);
    const redisPrefix = redisPrefixOf(ctx.env.TOUCHPOINT_REDIS_PREFIX);
    // A container listens on every interface while router.yaml keeps the local default.
    const host = ctx.env.TOUCHPOINT_HOST;
    const load = () => {
      const loaded = loadConfig({
        configDir: values.config,
        flowsDir: values.flows,
        adapters: ctx.adapters,
        env: ctx.env,
      });
      return host ? { ...loaded, router: { ...loaded.router, server: { ...loaded.router.server, host } } } : loaded;
    };
    const settings = load();
    const log = createLogger();
    // Where logs are JSON lines (not a terminal), these notices are log lines too, so the output stays one
    // format; a level that hides info lines (LOG_LEVEL=warn) must not hide where the router runs, so then plain.
    const asLog = logFormat(ctx.env, process.stdout.isTTY === true) === 'json' && log.isLevelEnabled('info');
    const notice = (text: string) => (asLog ? log.info(text) : ctx.out.info(text));
    // loaded on demand, so `check` and the other commands stay quick to start
    const { startApp } = await import('../app.ts');
    const app = await startApp({
      settings,
      adapters: ctx.adapters,
      dataDir: dataDirOf(ctx, values.data),
      databaseUrl: databaseUrlOf(ctx),
      port,
      redisUrl: ctx.env.REDIS_URL || null,
      ...(redisPrefix ? { redisPrefix } : {}),
      log,
      loadSettings: load,
      ...(testClock ? { clock: testClock } : {}),
    });
    notice(`Touchpoint is running at ${app.url} (web chat: ${app.url}/chat). Press Ctrl+C to stop.`);
    if (testClock)
      notice(
        `Test mode: the clock is virtual, now ${new Date(testClock.now()).toISOString()}; move it with POST /api/test/clock.`,
      );
    if (app.adminTokenGenerated) {
      notice(
        `Admin API token (generated, kept in the data folder; set TOUCHPOINT_ADMIN_TOKEN to choose one): ${app.adminToken}`,
      );
    }
    // SIGHUP reloads the config (`touchpoint reload` does the same over the admin API); the log says what happened.
    const reload = () => void app.reload();
    process.on('SIGHUP', reload);
    const signal = await waitForStopSignal();
    process.off('SIGHUP', reload);
    notice(`${signal}: stopping…`);
    await app.stop();
    // as a log line, the app's own "touchpoint stopped" says it
    if (!asLog) ctx.out.info('stopped');
    return 0;
  },
};

function portOf(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`PORT must be a port number from 0 to 65535, got "${text}"`, usage);
  }
  return port;
}

/** Letters, digits, `_`, `-` and `.`: the prefix becomes part of every key, and `:` separates its parts. */
const REDIS_PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;

function redisPrefixOf(text: string | undefined): string | null {
  if (!text) return null;
  if (!REDIS_PREFIX.test(text)) {
    throw new UsageError(
      `TOUCHPOINT_REDIS_PREFIX must be 1 to 64 letters, digits, "_", "-" or ".", got "${text}"`,
      usage,
    );
  }
  return text;
}

function testClockOf(text: string | undefined): VirtualClock | null {
  if (!text) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) {
    throw new UsageError(
      `TOUCHPOINT_TEST_CLOCK must be an ISO time such as 2026-01-05T09:00:00Z, got "${text}"`,
      usage,
    );
  }
  return new VirtualClock(at);
}
