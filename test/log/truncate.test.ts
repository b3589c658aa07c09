import { describe, expect, it } from 'vitest';
import { createLogger, LOG_FIELD_MAX } from '../../src/log.ts';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({}, { write: (line: string) => lines.push(JSON.parse(line)) });
  log.level = 'info';
  return { log, lines };
}

describe('log lines', () => {
  it('cut every string a sender controls: fields, nested fields, the message and error messages', () => {
    const { log, lines } = capture();
    const long = 'x'.repeat(100_000);
    log.warn({ reason: long, event: { from: long, list: [long] } }, `unreadable: ${long}`);
    log.error({ err: new Error(long) }, 'failed');
    interface Line {
      reason: string;
      event: { from: string; list: string[] };
      msg: string;
      err: { message: string; stack: string };
    }
    const [warn, error] = lines as unknown as [Line, Line];
    const limit = LOG_FIELD_MAX + 40;
    expect(warn.reason.length).toBeLessThan(limit);
    expect(warn.reason).toMatch(/… \(99000 more characters\)$/);
    expect(warn.event.from.length).toBeLessThan(limit);
    expect(warn.event.list[0]?.length).toBeLessThan(limit);
    expect(warn.msg.length).toBeLessThan(limit);
    expect(error.err.message.length).toBeLessThan(limit);
    expect(error.err.stack.length).toBeLessThan(4_100);
    expect(JSON.stringify(lines).length).toBeLessThan(15_000);
  });

  it('keep short strings as they are', () => {
    const { log, lines } = capture();
    log.info({ channel: 'sms', n: 3 }, 'stored');
    expect(lines[0]).toMatchObject({ channel: 'sms', n: 3, msg: 'stored' });
  });
});
