import { expect, it } from 'vitest';
import { some } from './figures.ts';
import { storm } from './storm.ts';

/** The short redelivery storm of `npm run test:reliability` (test/reliability/storm.ts). */
it('answers each message once, however often Twilio, Slack and Meta deliver it', async () => {
  const f = await storm({ messages: 40, seconds: 4 });
  expect(some(f, 'duplicated', 'lost', 'violations', 'fiveXX'), f.details.join('\n')).toEqual({
    duplicated: 0,
    lost: 0,
    violations: 0,
    fiveXX: 0,
  });
}, 120_000);
