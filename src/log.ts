import { type DestinationStream, type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

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
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  const options = { level, base: { app: 'touchpoint', ...bindings } };
  return logFormat(process.env, process.stdout.isTTY === true) === 'pretty'
    ? pino(options, prettyStream())
    : pino(options);
}

export const silentLogger: Logger = pino({ level: 'silent' });
