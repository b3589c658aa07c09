import { type DestinationStream, type Logger, pino } from 'pino';

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

/**
 * Structured JSON logs. `LOG_LEVEL` sets the level (default `info`, `silent`
 * under tests so runs stay readable).
 */
export function createLogger(bindings: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  const options = { level, base: { app: 'touchpoint', ...bindings }, ...bounded };
  return destination ? pino(options, destination) : pino(options);
}

export const silentLogger: Logger = pino({ level: 'silent' });
