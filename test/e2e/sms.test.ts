import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/model/types.ts';
import { ACCOUNT_SID, inbound, OUR_SMS, PUBLIC_URL, startTwilioApp, type TwilioApp } from './twilio-app.ts';

/**
 * SMS through the whole app: a webhook signed as Twilio signs it → stored →
 * routed → the reply sent by the real twilio client to the fake Twilio API.
 * Each case uses its own customer number, so conversations stay apart.
 */
describe('SMS end to end (fake Twilio API, real twilio client)', () => {
  let t: TwilioApp;

  beforeAll(async () => {
    t = await startTwilioApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const conversationOf = async (customer: string): Promise<Conversation | undefined> =>
    (await t.app.store.listConversations({ channel: 'sms' })).find((c) => c.threadKey === `${OUR_SMS}/${customer}`);
  const messagesOf = async (customer: string) => {
    const c = await conversationOf(customer);
    return c ? t.app.store.listMessages(c.id, { includeInternal: true }) : [];
  };
  const sentTo = (customer: string) => t.api.messages.filter((m) => m.to === customer);
  const stored = async () => (await t.app.store.countInbound('pending')) + (await t.app.store.countInbound('done'));

  it('answers 200 TwiML once the message is stored, and the reply reaches Twilio', async () => {
    const customer = '+14155550101';
    const before = await stored();
    const res = await t.post('/twilio/sms', inbound({ from: customer, body: 'How much is a loaf?' }));
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/xml/);
    expect(res.body).toMatch(/<Response\s*\/>|<Response><\/Response>/);
    expect(await stored()).toBe(before + 1);

    await t.app.drain();
    const [reply] = sentTo(customer);
    // The template's SMS variant, from our number, with a delivery-report URL on the public address.
    expect(reply).toMatchObject({ from: OUR_SMS, body: 'Loaf £4', accountSid: ACCOUNT_SID });
    expect(reply?.statusCallback).toBe(`${PUBLIC_URL}/twilio/sms/status`);
    const messages = await messagesOf(customer);
    expect(messages.map((m) => [m.direction, m.text, m.status])).toEqual([
      ['inbound', 'How much is a loaf?', 'received'],
      ['outbound', 'Loaf £4', 'sent'],
    ]);
    expect(messages[1]?.providerId).toBe(reply?.sid);
    expect((await conversationOf(customer))?.touchpoint).toEqual({
      channel: 'sms',
      kind: 'sms',
      visibility: 'private',
    });
  });

  it('records status callbacks as the message’s delivery status', async () => {
    const customer = '+14155550102';
    await t.post('/twilio/sms', inbound({ from: customer, body: 'hello' }));
    await t.app.drain();
    const sid = sentTo(customer)[0]?.sid as string;
    const status = (MessageStatus: string, extra: Record<string, string> = {}) =>
      t.post('/twilio/sms/status', { AccountSid: ACCOUNT_SID, MessageSid: sid, SmsSid: sid, MessageStatus, ...extra });

    expect((await status('delivered')).status).toBe(200);
    expect((await messagesOf(customer)).find((m) => m.providerId === sid)?.status).toBe('delivered');

    expect((await status('undelivered', { ErrorCode: '30003' })).status).toBe(200);
    const failed = (await messagesOf(customer)).find((m) => m.providerId === sid);
    expect(failed).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^Twilio error 30003: the customer's phone is unreachable/),
    });
  });

  it('answers a replayed webhook 200 and processes it once', async () => {
    const customer = '+14155550103';
    const params = inbound({ from: customer, body: 'How much is a loaf?' });
    expect((await t.post('/twilio/sms', params)).status).toBe(200);
    await t.app.drain();
    expect((await t.post('/twilio/sms', params)).status).toBe(200);
    await t.app.drain();
    expect((await messagesOf(customer)).map((m) => m.direction)).toEqual(['inbound', 'outbound']);
    expect(sentTo(customer)).toHaveLength(1);
  });

  it('refuses a missing (400) or wrong (403) signature and stores nothing', async () => {
    const customer = '+14155550104';
    const before = await stored();
    const missing = await t.post('/twilio/sms', inbound({ from: customer, body: 'hi' }), 'missing');
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('X-Twilio-Signature');
    const wrong = await t.post('/twilio/sms', inbound({ from: customer, body: 'hi' }), 'wrong');
    expect(wrong.status).toBe(403);
    await t.app.drain();
    expect(await stored()).toBe(before);
    expect(await conversationOf(customer)).toBeUndefined();
    expect(sentTo(customer)).toHaveLength(0);
  });

  it('after STOP sends nothing more to that number, bot or agent', async () => {
    const customer = '+14155550105';
    await t.post('/twilio/sms', inbound({ from: customer, body: 'hello' }));
    await t.app.drain();
    expect(sentTo(customer)).toHaveLength(1);

    await t.post('/twilio/sms', inbound({ from: customer, body: 'STOP', extra: { OptOutType: 'STOP' } }));
    await t.post('/twilio/sms', inbound({ from: customer, body: 'How much is a loaf?' }));
    await t.app.drain();
    const conversation = (await conversationOf(customer)) as Conversation;
    expect((await t.app.store.getContact(conversation.contactId))?.optOuts).toContain('sms');

    const agent = await t.admin('POST', `/api/conversations/${conversation.id}/reply`, {
      text: 'Still there?',
      agent: 'Sam',
    });
    expect(agent.status).toBe(201);
    expect(agent.body).toMatchObject({ status: 'failed', error: 'contact opted out of sms' });
    await t.app.drain();
    expect(sentTo(customer)).toHaveLength(1);
  });

  it('dead-letters a send Twilio refuses with 21610 and never retries it', async () => {
    const customer = '+14155550106';
    // Opted out at the carrier only (e.g. before this router was set up): we learn it from the send.
    t.api.optOut(customer);
    const requests = t.api.requests;
    await t.post('/twilio/sms', inbound({ from: customer, body: 'hello' }));
    await t.app.drain();
    t.clock.advance(60 * 60_000);
    await t.app.drain();
    expect(t.api.requests).toBe(requests + 1);

    const conversation = (await conversationOf(customer)) as Conversation;
    const dead = (await t.app.store.listDeadLetters()).filter((d) => d.conversationId === conversation.id);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.lastError).toMatch(/^permanent: the recipient opted out .*21610/);
    expect((await messagesOf(customer)).find((m) => m.direction === 'outbound')?.status).toBe('failed');
    // The refusal is remembered as an opt-out: the next message gets no reply at all.
    expect((await t.app.store.getContact(conversation.contactId))?.optOuts).toEqual(['sms']);
    await t.post('/twilio/sms', inbound({ from: customer, body: 'how much is a loaf?' }));
    await t.app.drain();
    expect(t.api.requests).toBe(requests + 1);
  });

  it('answers HELP from the help template', async () => {
    const customer = '+14155550107';
    await t.post('/twilio/sms', inbound({ from: customer, body: 'help' }));
    await t.app.drain();
    expect(sentTo(customer).map((m) => m.body)).toEqual([
      'Test Shop: reply STOP to stop texts, START to resume. Ask us anything here.',
    ]);
  });

  it('keeps MMS media as attachments of the inbound message', async () => {
    const customer = '+14155550108';
    const media = 'https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media';
    await t.post(
      '/twilio/sms',
      inbound({
        from: customer,
        body: 'Is this cake still available?',
        extra: {
          NumMedia: '2',
          MediaUrl0: `${media}/ME1`,
          MediaContentType0: 'image/jpeg',
          MediaUrl1: `${media}/ME2`,
          MediaContentType1: 'image/png',
        },
      }),
    );
    await t.app.drain();
    const [first] = await messagesOf(customer);
    expect(first?.attachments).toEqual([
      { url: `${media}/ME1`, contentType: 'image/jpeg' },
      { url: `${media}/ME2`, contentType: 'image/png' },
    ]);
  });

  it('waits out a 429 / 20429 and then delivers the reply once', async () => {
    const customer = '+14155550109';
    t.api.script({ status: 429, code: 20429, message: 'Too Many Requests', retryAfter: '3' });
    const requests = t.api.requests;
    await t.post('/twilio/sms', inbound({ from: customer, body: 'How much is a loaf?' }));
    await t.app.drain();
    expect(t.api.requests).toBe(requests + 1);
    expect(sentTo(customer)).toHaveLength(0);

    t.clock.advance(3_000);
    await t.app.drain();
    expect(sentTo(customer).map((m) => m.body)).toEqual(['Loaf £4']);
    expect(t.api.requests).toBe(requests + 2);
    expect((await messagesOf(customer)).at(-1)?.status).toBe('sent');
  });
});
