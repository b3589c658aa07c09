import { type Logger, pino } from 'pino';

export interface LoggedLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A real pino logger whose lines are kept in memory, for tests of what a failure logs. */
export function capturedLog(): { log: Logger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LoggedLine) });
  return { log, lines };
}
