import { describe, expect, it } from 'vitest';
import { META_CODES, toSendError } from '../../../adapters/meta/api/errors.ts';
import { GraphFailure } from '../../../adapters/meta/api/graph.ts';

const failure = (status: number, code: number | null, subcode: number | null = null, retry: number | null = null) =>
  new GraphFailure(status, code, subcode, 'boom', retry);

describe('Graph error mapping', () => {
  it('waits on throttling, with Retry-After when given', () => {
    expect(toSendError(failure(429, null, null, 3000))).toMatchObject({ failure: 'rate_limited', retryAfterMs: 3000 });
    for (const code of [4, 17, 32, 613]) {
      expect(toSendError(failure(400, code))).toMatchObject({ failure: 'rate_limited', retryAfterMs: 10_000 });
    }
  });

  it('retries server errors, unknown errors and network failures', () => {
    expect(toSendError(failure(503, null)).failure).toBe('transient');
    expect(toSendError(failure(400, 2)).failure).toBe('transient');
    const net = toSendError(new TypeError('fetch failed'));
    expect(net).toMatchObject({
      failure: 'transient',
      uncertain: true,
      message: expect.stringMatching(/could not be reached: fetch failed/),
    });
    // Refused before anything was sent: the retry needs no check.
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
    });
    expect(toSendError(refused)).toMatchObject({ failure: 'transient', uncertain: false });
  });

  it('names a second private reply', () => {
    const e = toSendError(failure(400, 10900));
    expect(e).toMatchObject({ failure: 'permanent', providerCode: META_CODES.privateReplyUsed });
    expect(e.message).toMatch(/already answered with a private reply.*error 10900/);
  });

  it('names a closed window and a bad token', () => {
    expect(toSendError(failure(400, 10, 2018278))).toMatchObject({
      failure: 'permanent',
      providerCode: META_CODES.windowClosed,
    });
    expect(toSendError(failure(400, 190)).message).toMatch(/access token is invalid/);
  });

  it('treats other client errors as permanent, keeping Graph’s code', () => {
    expect(toSendError(failure(400, 100))).toMatchObject({ failure: 'permanent', providerCode: '100' });
  });
});
