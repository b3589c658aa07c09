import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findMentions, normaliseEmail, normaliseIdentity, normalisePhone } from '../../src/contacts/identity-values.ts';

describe('identity values, written one way', () => {
  it('writes one number one way whatever channel or spacing it came with', () => {
    for (const raw of ['+447700900123', 'whatsapp:+447700900123', '+44 7700 900123', 'tel:+44-7700-900-123']) {
      expect(normalisePhone(raw)).toBe('+447700900123');
    }
    expect(normaliseIdentity({ kind: 'whatsapp', value: 'whatsapp:+447700900123' })).toEqual({
      kind: 'whatsapp',
      value: '+447700900123',
    });
  });

  it('refuses what is not an international number or an address', () => {
    for (const raw of ['07700 900123', '+12', '+4477009001231234567', 'call me', '', '+44 7700 900123 ext 5']) {
      expect(normalisePhone(raw)).toBeNull();
    }
    for (const raw of ['ann', 'ann@', '@shop.test', 'ann@shop', 'a@b@c.d', 'ann @shop.test', 'ann@shop..test']) {
      expect(normaliseEmail(raw)).toBeNull();
    }
    expect(normaliseIdentity({ kind: 'phone', value: '12345' })).toBeNull();
    expect(normaliseEmail(' Ann@Shop.Test ')).toBe('ann@shop.test');
  });

  it('finds addresses and numbers written in a message, once each', () => {
    const text = 'Hi, I am <Ann@Shop.test>, also ann@shop.test; call +44 7700 900123 or (+1 415-555-0100).';
    expect(findMentions(text)).toEqual([
      { kind: 'email', value: 'ann@shop.test', raw: 'Ann@Shop.test' },
      { kind: 'phone', value: '+447700900123', raw: '+44 7700 900123' },
      { kind: 'phone', value: '+14155550100', raw: '+1 415-555-0100' },
    ]);
    expect(findMentions('order 12345, total +5 points')).toEqual([]);
  });

  it('never throws and only returns values that normalise to themselves', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '@', '.', '+', '4', '7', ' ', '-', '(', '<', '>') }), (s) => {
        for (const m of findMentions(s)) {
          expect(m.kind === 'email' ? normaliseEmail(m.value) : normalisePhone(m.value)).toBe(m.value);
        }
      }),
    );
  });
});
