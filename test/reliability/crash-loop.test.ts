import { expect, it } from 'vitest';
import { crashLoop } from './crash-loop.ts';
import { some } from './figures.ts';

/**
 * A short crash loop of `npm run test:reliability` (test/reliability/crash-loop.ts),
 * on SQLite: nothing acknowledged is lost, and no reply goes out twice (a send
 * interrupted by the kill is reconciled with the provider before it is resent).
 */
it('loses no acknowledged SMS, Slack or Messenger message across kill -9, and answers none twice', async () => {
  const f = await crashLoop({
    store: 'sqlite',
    seconds: 12,
    uptimeMs: [1_500, 3_000],
    channels: ['sms', 'slack', 'facebook'],
    rates: { sms: 5, slack: 3, facebook: 5 },
    settleMs: 30_000,
  });
  expect(some(f, 'lost', 'duplicated', 'violations', 'fiveXX'), f.details.join('\n')).toEqual({
    lost: 0,
    duplicated: 0,
    violations: 0,
    fiveXX: 0,
  });
}, 150_000);
