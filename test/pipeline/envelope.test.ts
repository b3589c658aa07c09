import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/model/types.ts';
import { checkEnvelope } from '../../src/pipeline/ingest.ts';

const good: Envelope = {
  channel: 'sms',
  providerId: 'SM1',
  touchpoint: { channel: 'sms', kind: 'sms', visibility: 'private' },
  threadKey: '+15550100',
  from: { kind: 'phone', value: '+15550100' },
  text: 'hello',
};

/** Refused with a 400 that says what is wrong, never stored as a poison row. */
function refusal(e: unknown): { status: number; code: string; message: string } | null {
  try {
    checkEnvelope(e as Envelope);
    return null;
  } catch (err) {
    const { status, code, message } = err as { status: number; code: string; message: string };
    return { status, code, message };
  }
}

describe('an envelope an adapter hands in', () => {
  it('is taken when it names channel, provider id, thread, touchpoint, sender and a text (empty is fine)', () => {
    expect(refusal(good)).toBeNull();
    expect(refusal({ ...good, text: '' })).toBeNull();
  });

  it('is refused with 400 naming every missing or empty key', () => {
    expect(refusal({ ...good, channel: '', providerId: undefined })).toEqual({
      status: 400,
      code: 'invalid_envelope',
      message: 'envelope is missing channel, providerId',
    });
    expect(refusal({ ...good, threadKey: 42 })?.message).toBe('envelope is missing threadKey');
  });

  it('is refused without a touchpoint or a sender identity', () => {
    const why = 'envelope needs a touchpoint and a sender identity';
    expect(refusal({ ...good, touchpoint: undefined })).toMatchObject({
      status: 400,
      code: 'invalid_envelope',
      message: why,
    });
    expect(refusal({ ...good, from: undefined })?.message).toBe(why);
    expect(refusal({ ...good, from: { kind: 'phone', value: '' } })?.message).toBe(why);
    expect(refusal({ ...good, from: { kind: 'phone', value: 7 } })?.message).toBe(why);
  });

  it('is refused when its text is not a string', () => {
    expect(refusal({ ...good, text: undefined })).toEqual({
      status: 400,
      code: 'invalid_envelope',
      message: 'envelope text must be a string',
    });
  });
});
