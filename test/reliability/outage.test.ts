import { expect, it } from 'vitest';
import { some } from './figures.ts';
import { outage } from './outage.ts';

/**
 * A short outage of `npm run test:reliability` (test/reliability/outage.ts):
 * Twilio, Slack and Graph answer 5xx, 429 and reset connections for 9 s; the
 * outbox retries quickly and often here, so the backlog drains in seconds, and
 * no request reaches a provider inside a Retry-After window it gave.
 */
it('delivers every acknowledged message once after the providers recover, inside no Retry-After window', async () => {
  const f = await outage({
    seconds: 9,
    phaseSeconds: 3,
    modes: ['5xx', '429', 'reset'],
    retryAfterSeconds: 1,
    rates: { sms: 3, slack: 2, facebook: 3 },
    // Quick retries, and enough of them to outlast the outage (the shipped 8 with 2 s to 10 min backoff last minutes).
    router: { outbox: { backoffBase: '200ms', backoffMax: '1s', maxAttempts: 40 } },
    settleMs: 30_000,
  });
  expect(some(f, 'lost', 'duplicated', 'violations', 'fiveXX'), f.details.join('\n')).toEqual({
    lost: 0,
    duplicated: 0,
    violations: 0,
    fiveXX: 0,
  });
}, 120_000);
