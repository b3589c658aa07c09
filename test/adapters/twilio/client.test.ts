import { describe, expect, it } from 'vitest';
import { parseRetryAfter, routeUri } from '../../../adapters/twilio/api/client.ts';
import { toSendError } from '../../../adapters/twilio/api/errors.ts';
import { SendError } from '../../../src/errors.ts';
import { CUSTOMER, OUR_SMS, outbound, startTwilio } from './support/setup.ts';

const create = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json';

describe('routeUri', () => {
  it('keeps path and query on the configured base, its own path prefix included', () => {
    expect(routeUri(`${create}?a=1`, new URL('http://127.0.0.1:4010'))).toBe(
      'http://127.0.0.1:4010/2010-04-01/Accounts/AC1/Messages.json?a=1',
    );
    expect(routeUri(create, new URL('http://127.0.0.1:4010/fake/'))).toBe(
      'http://127.0.0.1:4010/fake/2010-04-01/Accounts/AC1/Messages.json',
    );
  });

  it('routes edge and region hosts of the API, and leaves them alone without a base', () => {
    const edge = 'https://api.sydney.au1.twilio.com/2010-04-01/Accounts/AC1/Messages.json';
    expect(routeUri(edge, null)).toBe(edge);
    expect(routeUri(edge, new URL('http://127.0.0.1:1'))).toBe(
      'http://127.0.0.1:1/2010-04-01/Accounts/AC1/Messages.json',
    );
  });

  it('refuses any other host with a permanent error', () => {
    for (const uri of [
      'https://evil.example.com/x',
      'https://tls-test.twilio.com:443',
      'https://api.twilio.com.evil.io/x',
    ]) {
      const err = (() => {
        try {
          routeUri(uri, null);
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(SendError);
      expect((err as SendError).failure).toBe('permanent');
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 5, 9, 0, 0);
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(['0.5'], now)).toBe(500);
    expect(parseRetryAfter('Mon, 05 Jan 2026 09:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('toSendError', () => {
  const probe = { status: null, retryAfterMs: null };
  it('makes a time-out or any unknown error transient and uncertain: the create may have gone out', () => {
    const timeout = Object.assign(new Error('timeout of 15000ms exceeded'), { code: 'ECONNABORTED' });
    expect(toSendError(timeout, probe)).toMatchObject({ failure: 'transient', uncertain: true });
    expect(toSendError(new Error('socket hang up'), probe)).toMatchObject({ failure: 'transient', uncertain: true });
  });

  it('knows a refused connection never reached Twilio', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(toSendError(refused, probe)).toMatchObject({ failure: 'transient', uncertain: false });
  });
});

describe('API failures in the RFC 9457 problem format', () => {
  it('are classified like classic ones, Retry-After included', async () => {
    const t = await startTwilio('sms');
    try {
      t.api.script(
        { status: 429, code: 20429, message: 'Too Many Requests', retryAfter: '2', problem: true },
        { status: 400, code: 21610, message: 'Unsubscribed recipient', problem: true },
      );
      const thread = `${OUR_SMS}/${CUSTOMER}`;
      const limited = await t.adapter.send(outbound({ threadKey: thread })).catch((e: unknown) => e);
      expect(limited).toMatchObject({ failure: 'rate_limited', retryAfterMs: 2000, providerCode: '20429' });
      const optedOut = await t.adapter.send(outbound({ threadKey: thread })).catch((e: unknown) => e);
      expect(optedOut).toMatchObject({ failure: 'permanent', providerCode: '21610' });
    } finally {
      await t.close();
    }
  });
});

describe('an unreachable API', () => {
  it('is transient', async () => {
    const t = await startTwilio('sms');
    await t.api.close();
    const err = await t.adapter.send(outbound({ threadKey: `${OUR_SMS}/${CUSTOMER}` })).catch((e: unknown) => e);
    await t.adapter.stop();
    await t.harness.close();
    expect(err).toMatchObject({ failure: 'transient', uncertain: false });
  });
});
