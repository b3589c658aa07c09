import { expect, it } from 'vitest';
import { crashLoop } from './crash-loop.ts';
import { some } from './figures.ts';

/**
 * A short crash loop of `npm run test:reliability` (test/reliability/crash-loop.ts),
 * on SQLite. Replies sent twice after a crash are counted by the long run:
 * today a kill between a provider's answer and the commit that records it
 * sends that reply again (issue 17), so only loss is held here.
 */
it('loses no acknowledged SMS, Slack or Messenger message across kill -9', async () => {
  const f = await crashLoop({
    store: 'sqlite',
    seconds: 12,
    uptimeMs: [1_500, 3_000],
    channels: ['sms', 'slack', 'facebook'],
    rates: { sms: 5, slack: 3, facebook: 5 },
    settleMs: 30_000,
  });
  expect(some(f, 'lost', 'violations', 'fiveXX'), f.details.join('\n')).toEqual({ lost: 0, violations: 0, fiveXX: 0 });
}, 150_000);
