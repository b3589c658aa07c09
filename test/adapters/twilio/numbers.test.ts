import { describe, expect, it } from 'vitest';
import { optOutKind } from '../../../adapters/twilio/compliance.ts';
import { smsDefinition, whatsappDefinition } from '../../../adapters/twilio/definition.ts';
import { addressFor, decodeThreadKey, encodeThreadKey } from '../../../adapters/twilio/numbers.ts';
import { rateLimitFor } from '../../../adapters/twilio/rate.ts';
import { VirtualClock } from '../../../src/clock.ts';
import { silentLogger } from '../../../src/log.ts';
import { ACCOUNT_SID } from './support/setup.ts';

describe('thread keys', () => {
  it('round-trip our number and the customer number, whatever the whatsapp: prefix', () => {
    const key = encodeThreadKey({ ours: 'whatsapp:+14155550100', customer: '+447700900123' });
    expect(key).toBe('+14155550100/+447700900123');
    expect(decodeThreadKey(key)).toEqual({ ours: '+14155550100', customer: '+447700900123' });
  });

  it('accept a short code as our side', () => {
    expect(decodeThreadKey(encodeThreadKey({ ours: '12345', customer: '+14155550123' }))).toEqual({
      ours: '12345',
      customer: '+14155550123',
    });
  });

  it('refuse what they cannot encode, and decode foreign keys to null', () => {
    expect(() => encodeThreadKey({ ours: '+14155550100', customer: 'VERIFY' })).toThrow(/E\.164/);
    for (const bad of ['', 'sink:abc', '+1415/+1', '+14155550100/+14155550123/x', 'a/b']) {
      expect(decodeThreadKey(bad)).toBeNull();
    }
  });

  it('address numbers per channel', () => {
    expect(addressFor('whatsapp', '+14155550100')).toBe('whatsapp:+14155550100');
    expect(addressFor('sms', 'whatsapp:+14155550100')).toBe('+14155550100');
  });
});

describe('opt-out keywords', () => {
  it('recognise the STOP, START and HELP families as the whole message, any case', () => {
    for (const w of ['STOP', 'stop', ' Stop ', 'STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit', 'REVOKE', 'optout']) {
      expect(optOutKind(w)).toBe('stop');
    }
    for (const w of ['START', 'yes', 'Unstop']) expect(optOutKind(w)).toBe('start');
    for (const w of ['HELP', 'info']) expect(optOutKind(w)).toBe('help');
  });

  it('ignore keywords inside a sentence', () => {
    for (const w of ['please stop', 'stop it', 'yes please', 'I need help', '']) expect(optOutKind(w)).toBeNull();
  });

  it("prefer Twilio's OptOutType when present", () => {
    expect(optOutKind('arrête', 'STOP')).toBe('stop');
    expect(optOutKind('hello', 'HELP')).toBe('help');
  });
});

const base = { accountSid: ACCOUNT_SID, authToken: 'tok' };

describe('settings', () => {
  it('apply defaults', () => {
    const s = smsDefinition.settings.parse({ ...base, numbers: [{ number: '+14155550100', kind: 'longcode' }] });
    expect(s).toMatchObject({ webhookPath: '/twilio', maxSegments: 3, maxMessages: 3, statusCallback: true });
  });

  it('check each number against its kind and channel, with the path of the mistake', () => {
    const issues = (schema: typeof smsDefinition.settings | typeof whatsappDefinition.settings, numbers: unknown) => {
      const r = schema.safeParse({ ...base, numbers });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues(smsDefinition.settings, [{ number: '4155550100', kind: 'longcode' }])).toEqual([
      'numbers.0.number: "4155550100" is not an E.164 number such as +14155550100',
    ]);
    expect(issues(smsDefinition.settings, [{ number: '12345', kind: 'shortcode' }])).toEqual([]);
    expect(issues(smsDefinition.settings, [{ number: 'whatsapp:+14155550100', kind: 'whatsapp' }])[0]).toMatch(
      /belong in the whatsapp channel/,
    );
    expect(issues(whatsappDefinition.settings, [{ number: 'whatsapp:+14155550100', kind: 'longcode' }])[0]).toMatch(
      /kind: whatsapp/,
    );
    expect(
      issues(smsDefinition.settings, [
        { number: '+14155550100', kind: 'longcode' },
        { number: '+14155550100', kind: 'tollfree' },
      ]),
    ).toEqual(['numbers.1.number: +14155550100 is listed twice']);
  });

  it('refuse voice settings on WhatsApp and a transcribed voicemail over 120 s', () => {
    const numbers = [{ number: '+14155550100', kind: 'longcode' }];
    expect(whatsappDefinition.settings.safeParse({ ...base, numbers, voice: {} }).success).toBe(false);
    const r = smsDefinition.settings.safeParse({ ...base, numbers, voice: { voicemail: { maxLengthSeconds: 300 } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['voice', 'voicemail', 'maxLengthSeconds']);
  });
});

describe('rate limits', () => {
  it('follow the slowest sending number', () => {
    expect(rateLimitFor([{ number: '+14155550100', kind: 'longcode' }])).toEqual({ minTimeMs: 1000, maxConcurrent: 1 });
    expect(rateLimitFor([{ number: '+18005550100', kind: 'tollfree' }])).toEqual({ minTimeMs: 334, maxConcurrent: 1 });
    expect(rateLimitFor([{ number: '12345', kind: 'shortcode' }])).toEqual({ minTimeMs: 10, maxConcurrent: 25 });
    expect(
      rateLimitFor([
        { number: '12345', kind: 'shortcode' },
        { number: '+18005550100', kind: 'tollfree', ratePerSecond: 2 },
      ]).minTimeMs,
    ).toBe(500);
  });

  it('use the sending number as the destination', async () => {
    const adapter = await smsDefinition.create(
      smsDefinition.settings.parse({ ...base, numbers: [{ number: '+14155550100', kind: 'longcode' }] }),
      { log: silentLogger, clock: new VirtualClock() },
    );
    expect(adapter.destination('+14155550100/+14155550123', null)).toBe('+14155550100');
    expect(adapter.rateLimit.minTimeMs).toBe(1000);
  });
});
