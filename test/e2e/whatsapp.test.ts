import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/model/types.ts';
import { inbound, OUR_WA, startTwilioApp, type TwilioApp } from './twilio-app.ts';

const HOUR = 3_600_000;
const CUSTOMER = '+14155550201';

/**
 * WhatsApp's 24-hour window through the whole app: the outbound chain refuses
 * free-form text past the window (the adapter checks again before calling
 * Twilio), so an agent's late reply is recorded as failed with a reason the
 * agents can act on instead of failing at Twilio.
 */
describe('WhatsApp end to end: the 24-hour window', () => {
  let t: TwilioApp;
  let conversationId: string;

  beforeAll(async () => {
    t = await startTwilioApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const sent = () => t.api.messages.filter((m) => m.to === `whatsapp:${CUSTOMER}`);
  const agentReply = async (text: string) => {
    const res = await t.admin('POST', `/api/conversations/${conversationId}/reply`, { text, agent: 'Sam' });
    expect(res.status).toBe(201);
    await t.app.drain();
    return res.body as Message;
  };

  it('answers a customer message on WhatsApp', async () => {
    const res = await t.post(
      '/twilio/whatsapp',
      inbound({
        from: `whatsapp:${CUSTOMER}`,
        to: `whatsapp:${OUR_WA}`,
        body: 'How much is a loaf?',
        extra: { ProfileName: 'Ana', WaId: CUSTOMER.slice(1) },
      }),
    );
    expect(res.status).toBe(200);
    await t.app.drain();
    expect(sent().map((m) => [m.from, m.body])).toEqual([[`whatsapp:${OUR_WA}`, 'A loaf is £4.']]);
    const [conversation] = await t.app.store.listConversations({ channel: 'whatsapp' });
    expect(conversation?.touchpoint.kind).toBe('whatsapp');
    conversationId = conversation?.id as string;
  });

  it('sends an agent reply 23 hours after the customer wrote', async () => {
    t.clock.advance(23 * HOUR);
    const reply = await agentReply('Yes, we still have some.');
    expect(sent().map((m) => m.body)).toContain('Yes, we still have some.');
    const stored = (await t.app.store.listMessages(conversationId)).find((m) => m.id === reply.id);
    expect(stored?.status).toBe('sent');
  });

  it('refuses free text 25 hours after in the outbound chain, with why, without calling Twilio', async () => {
    t.clock.advance(2 * HOUR);
    const requests = t.api.requests;
    const reply = await agentReply('Are you still interested?');
    await t.app.drain();
    expect(t.api.requests).toBe(requests);
    const stored = (await t.app.store.listMessages(conversationId)).find((m) => m.id === reply.id);
    expect(stored?.status).toBe('failed');
    expect(stored?.error).toMatch(/^whatsapp reply window closed: free text goes out only within 24 h/);
    expect(stored?.error).toContain('approved whatsapp: { contentSid }');
    expect((await t.app.store.listDeadLetters()).filter((d) => d.messageId === reply.id)).toEqual([]);
  });

  it('opens the window again when the customer writes back', async () => {
    await t.post(
      '/twilio/whatsapp',
      inbound({ from: `whatsapp:${CUSTOMER}`, to: `whatsapp:${OUR_WA}`, body: 'Sorry, yes please!' }),
    );
    await t.app.drain();
    await agentReply('Great, one loaf is yours.');
    expect(sent().map((m) => m.body)).toContain('Great, one loaf is yours.');
  });
});
