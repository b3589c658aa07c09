import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { toSendError } from '../../../adapters/discord/api/errors.ts';
import { SendError } from '../../../src/errors.ts';

const req = { body: undefined, files: undefined };
const api = (status: number, code: number, extra: Record<string, unknown> = {}) =>
  new DiscordAPIError({ code, message: `error ${code}`, ...extra }, code, status, 'POST', '/channels/1/messages', req);

const rateLimit = (retryAfter: number, timeToReset: number, global = false) =>
  new RateLimitError({
    timeToReset,
    limit: 5,
    method: 'POST',
    hash: 'h',
    url: 'http://x/api/v10/channels/1/messages',
    route: '/channels/:id/messages',
    majorParameter: '1',
    global,
    retryAfter,
    sublimitTimeout: 0,
    scope: 'user',
  });

describe('Discord send errors', () => {
  it('turns rate limits into rate_limited with the wait', () => {
    expect(toSendError(rateLimit(3050, 3000))).toMatchObject({ failure: 'rate_limited', retryAfterMs: 3050 });
    // Refused before sending, while the bucket is known to be empty: only the reset time is known.
    expect(toSendError(rateLimit(0, 1200))).toMatchObject({ failure: 'rate_limited', retryAfterMs: 1200 });
    expect(toSendError(api(429, 0, { retry_after: 2.5 }))).toMatchObject({
      failure: 'rate_limited',
      retryAfterMs: 2500,
    });
    // The global limit covers every channel the bot posts in.
    expect(toSendError(rateLimit(1000, 1000)).scope).toBe('destination');
    expect(toSendError(rateLimit(1000, 1000, true)).scope).toBe('account');
  });

  it('retries server and network trouble, never refusals', () => {
    expect(toSendError(new HTTPError(503, 'Service Unavailable', 'POST', '/x', req)).failure).toBe('transient');
    // A lost connection may have posted the message (the retry looks it up first); a refused one cannot have.
    expect(toSendError(new TypeError('fetch failed'))).toMatchObject({ failure: 'transient', uncertain: true });
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
    });
    expect(toSendError(refused)).toMatchObject({ failure: 'transient', uncertain: false });
    expect(toSendError(api(403, 50007))).toMatchObject({ failure: 'permanent', providerCode: '50007' });
    expect(toSendError(api(403, 50013)).failure).toBe('permanent');
    expect(toSendError(api(404, 10003)).failure).toBe('permanent');
    expect(toSendError(api(401, 0)).failure).toBe('permanent');
  });

  it('passes a SendError through', () => {
    const own = new SendError('permanent', 'no');
    expect(toSendError(own)).toBe(own);
  });
});
