import { expect, it } from 'vitest';
import { storm } from './storm.ts';

/** The short redelivery storm of `npm run test:reliability` (test/reliability/storm.ts). */
it('answers each message once, however often Twilio, Slack and Meta deliver it', async () => {
  const f = await storm({ messages: 40, seconds: 4 });
  const why = f.details.join('\n');
  expect(f.duplicated, why).toBe(0);
  expect(f.lost, why).toBe(0);
  expect(f.violations, why).toBe(0);
  expect(f.fiveXX, why).toBe(0);
}, 120_000);
