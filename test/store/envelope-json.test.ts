import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/model/types.ts';
import { envelopeFromJson, envelopeToJson } from '../../src/store/envelope-json.ts';

const envelope = (text: string, raw: unknown): Envelope => ({
  channel: 'webchat',
  providerId: 'm1',
  touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
  threadKey: 'webchat:v1',
  from: { kind: 'webchat', value: 'v1' },
  text,
  raw,
});

describe('a stored envelope', () => {
  it('keeps a long text once although the provider payload holds it again, and reads back the same', () => {
    const text = 'a long message '.repeat(10_000);
    const e = envelope(text, { entry: [{ messaging: [{ message: { text, mid: 'm.1' } }] }], also: [text] });
    const json = envelopeToJson(e);
    expect(json.length).toBeLessThan(text.length * 1.01);
    expect(envelopeFromJson(json)).toEqual(e);
  });

  it('reads back every envelope as it was written, whatever its payload', () => {
    const json = fc.jsonValue();
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ minLength: 1024, maxLength: 1300 })),
        json,
        fc.boolean(),
        (text, extra, nest) => {
          const raw = nest ? { extra, body: { text }, list: [text, extra] } : extra;
          const e = envelope(text, raw);
          expect(envelopeFromJson(envelopeToJson(e))).toEqual(JSON.parse(JSON.stringify(e)));
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});
