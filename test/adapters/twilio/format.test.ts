import { describe, expect, it } from 'vitest';
import { planBodies } from '../../../adapters/twilio/format/plan.ts';
import { countSegments, isGsm7 } from '../../../adapters/twilio/format/segments.ts';
import { shorten, splitText } from '../../../adapters/twilio/format/split.ts';

const limits = { maxSegments: 1, maxMessages: 3 };

describe('countSegments', () => {
  it('fits 160 GSM-7 characters in one segment and splits 161 into two of 153', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('counts GSM extension characters as two septets', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments(`${'a'.repeat(159)}{`)).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(isGsm7('[~]|^\\ é ñ Ü £')).toBe(true);
  });

  it('never splits an escape pair: one septet short of a part pushes the pair on', () => {
    // 152 plain + '€' (2) does not fit the first 153-septet part; it moves whole to the next.
    const text = `${'a'.repeat(152)}€${'b'.repeat(152)}`;
    expect(countSegments(text)).toEqual({ encoding: 'GSM-7', units: 306, segments: 3 });
  });

  it('switches the whole message to UCS-2 for one emoji, which takes two code units', () => {
    expect(countSegments(`${'a'.repeat(68)}😀`)).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSegments(`${'a'.repeat(69)}😀`)).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(countSegments('Привет').encoding).toBe('UCS-2');
  });

  it('keeps a surrogate pair within one UCS-2 part', () => {
    const text = `${'a'.repeat(66)}😀${'b'.repeat(66)}`;
    expect(countSegments(text)).toEqual({ encoding: 'UCS-2', units: 134, segments: 3 });
  });

  it('counts an empty text as no segment', () => {
    expect(countSegments('').segments).toBe(0);
  });
});

describe('splitText', () => {
  const fits160 = (s: string) => countSegments(s).segments <= 1;

  it('leaves a text that fits alone', () => {
    expect(splitText('  Short reply.  ', fits160, 3)).toEqual(['Short reply.']);
  });

  it('cuts after a sentence when one ends in the second half of the room', () => {
    const first = `${'Word '.repeat(20).trim()}.`; // 100 chars
    const second = 'Another sentence that carries on for quite a while and pushes well past the limit of one segment.';
    const parts = splitText(`${first} ${second}`, fits160, 3);
    expect(parts).toEqual([first, second]);
  });

  it('cuts at a space when no sentence ends late enough', () => {
    const text = 'lorem '.repeat(40).trim(); // 239 chars, no sentence end
    const parts = splitText(text, fits160, 3);
    expect(parts).toHaveLength(2);
    for (const p of parts) {
      expect(fits160(p)).toBe(true);
      expect(p.startsWith('lorem') && p.endsWith('lorem')).toBe(true);
    }
    expect(parts.join(' ')).toBe(text);
  });

  it('cuts a word longer than the room between characters, never inside an emoji', () => {
    const text = '😀'.repeat(50); // 100 code units, UCS-2 room is 70
    const parts = splitText(text, fits160, 3);
    expect(parts).toEqual(['😀'.repeat(35), '😀'.repeat(15)]);
  });

  it('shortens what does not fit in the last allowed message, with an ellipsis', () => {
    const text = 'lorem '.repeat(100).trim();
    const parts = splitText(text, fits160, 2);
    expect(parts).toHaveLength(2);
    expect(parts[1]?.endsWith('lorem...')).toBe(true);
    expect(fits160(parts[1] ?? '')).toBe(true);
  });
});

describe('shorten', () => {
  const fits = (s: string) => countSegments(s).segments <= 1;

  it('uses three dots for GSM-7 text, so it stays in GSM-7', () => {
    const out = shorten('word '.repeat(50), fits);
    expect(out.endsWith('word...')).toBe(true);
    expect(countSegments(out).encoding).toBe('GSM-7');
    expect(out.length).toBeLessThanOrEqual(160);
  });

  it('uses the ellipsis character for UCS-2 text', () => {
    const out = shorten('Grüße 😀 '.repeat(20), fits);
    expect(out.endsWith('…')).toBe(true);
    expect(countSegments(out).segments).toBe(1);
  });
});

describe('planBodies', () => {
  it('keeps each SMS within maxSegments', () => {
    const text = 'This is a sentence of moderate length. '.repeat(30);
    const bodies = planBodies('sms', text, { maxSegments: 2, maxMessages: 5 });
    expect(bodies.length).toBeGreaterThan(1);
    for (const b of bodies) expect(countSegments(b).segments).toBeLessThanOrEqual(2);
  });

  it('lets WhatsApp use the whole 1,600-character body', () => {
    const text = 'x'.repeat(1500);
    expect(planBodies('whatsapp', text, limits)).toEqual([text]);
    const long = 'word '.repeat(400);
    const bodies = planBodies('whatsapp', long, limits);
    expect(bodies).toHaveLength(2);
    for (const b of bodies) expect(b.length).toBeLessThanOrEqual(1600);
  });
});
