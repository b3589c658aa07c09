import { type DestinationStream, type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** Longest string a log line keeps from one field: webhooks put what senders wrote into messages and fields. */
export const LOG_FIELD_MAX = 1_000;
const STACK_MAX = 4_000;

/** `text` cut to `max` characters, saying how much was left out. */
export function truncate(text: string, max = LOG_FIELD_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

function truncateFields(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return truncate(value);
  if (depth === 0 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => truncateFields(v, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = truncateFields(v, depth - 1);
  return out;
}

function truncatedError(err: Error): Record<string, unknown> {
  const s = pino.stdSerializers.err(err);
  return { ...s, message: truncate(s.message), stack: truncate(s.stack ?? '', STACK_MAX) };
}

/** Every string a line carries (message, fields, error messages) is cut to a bounded length. */
const bounded = {
  formatters: { log: (obj: Record<string, unknown>) => truncateFields(obj, 3) as Record<string, unknown> },
  serializers: { err: truncatedError },
  hooks: {
    logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
      method.apply(
        this,
        args.map((a) => (typeof a === 'string' ? truncate(a) : a)),
      );
    },
  },
};

/** `pretty` on a terminal, JSON lines otherwise (a log collector); `LOG_FORMAT=json|pretty` decides instead. */
export function logFormat(env: Record<string, string | undefined>, isTTY: boolean): 'json' | 'pretty' {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTTY ? 'pretty' : 'json';
}

/** One readable line per entry: time, level, message, then the fields that matter. */
export function prettyStream(destination?: NodeJS.WritableStream): DestinationStream {
  return pretty({
    colorize: destination === undefined,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,app',
    singleLine: true,
    sync: true,
    ...(destination ? { destination } : {}),
  });
}

/**
 * Structured logs. `LOG_LEVEL` sets the level (default `info`, `silent`
 * under tests so runs stay readable); see logFormat for the format.
 */
export function createLogger(bindings: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  const options = { level, base: { app: 'touchpoint', ...bindings }, ...bounded };
  if (destination) return pino(options, destination);
  return logFormat(process.env, process.stdout.isTTY === true) === 'pretty'
    ? pino(options, prettyStream())
    : pino(options);
}

export const silentLogger: Logger = pino({ level: 'silent' });
