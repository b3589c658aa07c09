import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { logFormat, prettyStream } from '../src/log.ts';

describe('log format', () => {
  it('is readable on a terminal and JSON lines for a collector, unless LOG_FORMAT says', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('prints one line per entry with the level, the message and its fields, no JSON braces around it', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        out += String(chunk);
        done();
      },
    });
    pino({ base: { app: 'touchpoint' } }, prettyStream(sink)).warn({ channel: 'sms' }, 'sms: credentials check failed');
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\] WARN: sms: credentials check failed \{"channel":"sms"\}/);
  });
});
