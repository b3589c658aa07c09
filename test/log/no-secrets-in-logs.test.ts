import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { AUTH_TOKEN, IN_HOURS, inbound, PUBLIC_URL, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';

/**
 * A whole run with every log line kept (level trace): SMS in through the real
 * Twilio signature check (and one forged), an agent's reply out through the
 * Twilio API, a failed send, agent accounts and tokens. Then the captured log
 * is searched for every secret and every piece of personal data the run used.
 */
describe('the log of an end-to-end run', () => {
  let t: TwilioApp;
  let captured = '';
  const level = process.env.LOG_LEVEL;
  const CUSTOMER = '+447700900456';
  const INBOUND_TEXT = 'my postcode is SW1A 1AA and I want a refund';
  const REPLY_TEXT = 'Refund approved for Mrs Pennywhistle';
  const NOTE_TEXT = 'customer sounded upset about parcel 77Q';
  const PROFILE_NAME = 'Hermione Pennywhistle';
  const secrets: string[] = [];

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'trace';
    const log = createLogger(
      {},
      {
        write: (line: string) => {
          captured += line;
        },
      },
    );
    t = await startTwilioApp({ start: IN_HOURS, log });
  });
  afterAll(async () => {
    await t?.stop();
    if (level === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = level;
  });

  it('holds no secret, token, signature or personal data', async () => {
    const sms = inbound({ from: CUSTOMER, body: INBOUND_TEXT, extra: { ProfileName: PROFILE_NAME } });
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/sms`, sms);
    expect((await t.post('/twilio/sms', sms)).status).toBe(200);
    // A forged one is refused and logged, without what it carried.
    const forged = inbound({ from: CUSTOMER, body: INBOUND_TEXT });
    expect((await t.post('/twilio/sms', forged, 'wrong')).status).toBe(403);
    await t.app.drain();

    const made = await t.admin('POST', '/api/agents', { id: 'ann', name: 'Ann Lee' });
    const token = (made.body as { token: string }).token;
    const { conversations } = (await t.admin('GET', '/api/conversations')).body as {
      conversations: Array<{ id: string }>;
    };
    const id = conversations[0]?.id as string;
    const as = (body: unknown) =>
      fetch(`${t.app.url}/api/conversations/${id}/reply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await as({ text: REPLY_TEXT })).status).toBe(201);
    expect((await as({ text: NOTE_TEXT, internal: true })).status).toBe(201);
    // The provider refuses the next send: its failure is logged and dead-lettered.
    t.api.script({ status: 400, code: 21211, message: `The 'To' number ${CUSTOMER} is not a valid phone number.` });
    expect((await as({ text: REPLY_TEXT })).status).toBe(201);
    await t.app.drain();
    // A refused token and a bad admin token are logged as refusals, without the tokens.
    await fetch(`${t.app.url}/api/me`, { headers: { authorization: `Bearer ${token}x` } });
    secrets.push(AUTH_TOKEN, t.app.adminToken, token, token.split('.')[1] as string, signature);

    const lines = captured.trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    // The provider's refusal is logged, with the number it quoted masked.
    expect(lines.filter((l) => l.includes('dead-lettered') && l.includes('[phone]'))).toHaveLength(1);
    const personal = [CUSTOMER, CUSTOMER.slice(1), INBOUND_TEXT, REPLY_TEXT, NOTE_TEXT, PROFILE_NAME, 'SW1A 1AA'];
    for (const needle of [...secrets, ...personal]) {
      const hits = lines.filter((l) => l.includes(needle));
      expect(hits, `"${needle}" appears in the log`).toEqual([]);
    }
  });
});
