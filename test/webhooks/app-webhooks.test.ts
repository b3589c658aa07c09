import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, OUR_SMS, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';
import { type Receiver, startReceiver } from './receiver.ts';

const SECRET = 'crm-secret-0123456789abcdef';

/** The whole app: an SMS in and its reply out reach a subscribed receiver as signed events, in order. */
describe('webhooks out through the app (fake Twilio)', () => {
  let t: TwilioApp;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver(SECRET, (body) => {
      const data = body.data as { conversation?: { id: string }; message?: { conversationId: string } };
      return data.conversation?.id ?? data.message?.conversationId ?? '';
    });
    t = await startTwilioApp({
      router: {
        webhooks: {
          subscriptions: {
            crm: {
              url: receiver.url,
              secret: SECRET,
              events: ['conversation.created', 'message.created', 'message.delivery'],
            },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.close();
  });

  it('posts conversation.created, both messages and the reply’s delivery, each signed, in order', async () => {
    const customer = '+14155550177';
    expect((await t.post('/twilio/sms', inbound({ from: customer, body: 'How much is a loaf?' }))).status).toBe(200);
    await t.app.drain();
    const conversation = (await t.app.store.listConversations({ channel: 'sms' })).find(
      (c) => c.threadKey === `${OUR_SMS}/${customer}`,
    );
    const mine = receiver.accepted.filter((r) => r.orderKey === conversation?.id);
    expect(mine.map((r) => r.type)).toEqual([
      'conversation.created',
      'message.created',
      'message.created',
      'message.delivery',
    ]);
    expect(mine[1]?.body.data).toMatchObject({ message: { direction: 'inbound', text: 'How much is a loaf?' } });
    expect(mine[3]?.body.data).toMatchObject({ message: { status: 'sent' } });
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });
});
