import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/model/types.ts';
import {
  ACCOUNT_SID,
  AFTER_HOURS,
  FORWARD_TO,
  IN_HOURS,
  inbound,
  OUR_SMS,
  PUBLIC_URL,
  startTwilioApp,
  type TwilioApp,
} from './twilio-app.ts';

/**
 * Calls on the SMS number: in business hours (from the business calendar)
 * they ring the shop's phone; unanswered or after hours the caller hears
 * voicemail, and the missed call becomes a conversation on the SMS thread
 * with a text follow-up from flows/missed-call.yaml and its templates.
 */
describe('phone calls end to end: forward in hours, voicemail after, SMS follow-up', () => {
  let t: TwilioApp;

  beforeAll(async () => {
    t = await startTwilioApp({ start: IN_HOURS, voice: { forwardTo: FORWARD_TO } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  let callSeq = 0;
  const call = (from: string, extra: Record<string, string> = {}) => ({
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: `CA${String(++callSeq).padStart(32, '0')}`,
    From: from,
    To: OUR_SMS,
    CallStatus: 'ringing',
    Direction: 'inbound',
    ...extra,
  });
  const conversationOf = async (customer: string): Promise<Conversation | undefined> =>
    (await t.app.store.listConversations({ channel: 'sms' })).find((c) => c.threadKey === `${OUR_SMS}/${customer}`);
  const texts = (customer: string) => t.api.messages.filter((m) => m.to === customer).map((m) => m.body);

  it('in hours rings the business phone and stores nothing while it rings', async () => {
    const caller = '+14155550301';
    const res = await t.post('/twilio/voice', call(caller));
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/xml/);
    expect(res.body).toContain(`<Dial action="${PUBLIC_URL}/twilio/voice/dial"`);
    expect(res.body).toContain(`<Number>${FORWARD_TO}</Number>`);
    expect(res.body).not.toContain('<Record');
    await t.app.drain();
    expect(await conversationOf(caller)).toBeUndefined();
  });

  it('in hours, a forward nobody answers goes to voicemail and gets the in-hours text', async () => {
    const caller = '+14155550302';
    const first = call(caller);
    await t.post('/twilio/voice', first);
    const dial = await t.post('/twilio/voice/dial', {
      ...first,
      CallStatus: 'in-progress',
      DialCallStatus: 'no-answer',
    });
    expect(dial.status).toBe(200);
    expect(dial.body).toContain('<Record');
    await t.app.drain();

    const [text] = texts(caller);
    expect(text).toMatch(/^Sorry we missed your call! This is Test Shop\./);
    const conversation = (await conversationOf(caller)) as Conversation;
    expect(conversation.touchpoint).toEqual({ channel: 'sms', kind: 'voice', visibility: 'private' });
    expect(conversation.tags).toEqual(expect.arrayContaining(['missed-call', 'handoff']));
    expect(conversation.category).toBe('callback');
  });

  it('follows up a missed call from a customer who already texts us, in the same conversation', async () => {
    const caller = '+14155550305';
    await t.post('/twilio/sms', inbound({ from: caller, body: 'hello' }));
    await t.app.drain();
    const first = call(caller);
    await t.post('/twilio/voice', first);
    await t.post('/twilio/voice/dial', { ...first, CallStatus: 'in-progress', DialCallStatus: 'busy' });
    await t.app.drain();
    expect(texts(caller).at(-1)).toMatch(/^Sorry we missed your call/);
    const conversations = (await t.app.store.listConversations({ channel: 'sms' })).filter((c) =>
      c.threadKey.endsWith(`/${caller}`),
    );
    expect(conversations).toHaveLength(1);
    expect(conversations[0]?.tags).toEqual(expect.arrayContaining(['missed-call']));
  });

  it('in hours, an answered forward stores nothing and sends nothing', async () => {
    const caller = '+14155550303';
    const first = call(caller);
    await t.post('/twilio/voice', first);
    const dial = await t.post('/twilio/voice/dial', { ...first, DialCallStatus: 'completed' });
    expect(dial.body).toContain('<Hangup');
    await t.app.drain();
    expect(await conversationOf(caller)).toBeUndefined();
    expect(texts(caller)).toEqual([]);
  });

  it('after hours answers with voicemail at once, texts the caller, and keeps the voicemail for the team', async () => {
    t.clock.set(AFTER_HOURS);
    const caller = '+14155550304';
    const first = call(caller);
    const res = await t.post('/twilio/voice', first);
    expect(res.status).toBe(200);
    expect(res.body).not.toContain('<Dial');
    expect(res.body).toContain('<Say>Sorry, we cannot take your call right now.');
    expect(res.body).toContain(`transcribeCallback="${PUBLIC_URL}/twilio/voice/transcription"`);
    await t.app.drain();
    expect(texts(caller)).toHaveLength(1);
    expect(texts(caller)[0]).toMatch(/^Thanks for calling Test Shop\. We're closed right now/);

    // The transcription callback carries no From/To: the adapter kept them from the call.
    const { From: _from, To: _to, ...withoutNumbers } = first;
    const transcribed = await t.post('/twilio/voice/transcription', {
      ...withoutNumbers,
      RecordingSid: 'RE00000000000000000000000000000001',
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/RE1`,
      TranscriptionStatus: 'completed',
      TranscriptionText: 'Hi, please call me back about my cake order.',
    });
    expect(transcribed.status).toBe(200);
    await t.app.drain();

    const conversation = (await conversationOf(caller)) as Conversation;
    const messages = await t.app.store.listMessages(conversation.id);
    expect(messages.map((m) => [m.direction, m.text.slice(0, 30)])).toEqual([
      ['inbound', 'Missed call'],
      ['outbound', texts(caller)[0]?.slice(0, 30)],
      ['inbound', 'Hi, please call me back about '],
    ]);
    expect(messages[2]?.attachments[0]).toMatchObject({ contentType: 'audio/mpeg' });
    // Handed to the team: no second automatic text for the voicemail.
    expect(texts(caller)).toHaveLength(1);
  });

  it('refuses an unsigned call webhook', async () => {
    const res = await t.post('/twilio/voice', call('+14155550305'), 'missing');
    expect(res.status).toBe(400);
  });
});
