import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. `LOG_LEVEL` sets the level (default `info`, `silent`
 * under tests so runs stay readable).
 */
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  return pino({ level, base: { app: 'touchpoint', ...bindings } });
}

export const silentLogger: Logger = pino({ level: 'silent' });
