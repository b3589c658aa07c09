import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, AUTH_TOKEN, CUSTOMER, OUR_SMS, OUR_WA, PUBLIC_BASE, startTwilio } from './support/setup.ts';

type Started = Awaited<ReturnType<typeof startTwilio>>;
let t: Started | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const SID = 'SM0123456789abcdef0123456789abcdef';

const inboundSms = (extra: Record<string, string> = {}) => ({
  AccountSid: ACCOUNT_SID,
  ApiVersion: '2010-04-01',
  MessageSid: SID,
  SmsMessageSid: SID,
  SmsSid: SID,
  SmsStatus: 'received',
  From: CUSTOMER,
  To: OUR_SMS,
  Body: 'Do you have a table for two tonight?',
  NumMedia: '0',
  NumSegments: '1',
  FromCountry: 'US',
  ToCountry: 'US',
  ...extra,
});

describe('inbound SMS webhook', () => {
  it('stores one envelope and only then answers empty TwiML', async () => {
    t = await startTwilio('sms');
    const res = await t.post('/twilio/sms', inboundSms());
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/xml/);
    expect(res.body).toMatch(/<Response\s*\/>|<Response><\/Response>/);
    expect(t.ingestCalls).toHaveLength(1);
    expect(t.ingestCalls[0]).toMatchObject({
      channel: 'sms',
      providerId: SID,
      touchpoint: { channel: 'sms', kind: 'sms', visibility: 'private' },
      threadKey: `${OUR_SMS}/${CUSTOMER}`,
      from: { kind: 'phone', value: CUSTOMER, verified: true },
      text: 'Do you have a table for two tonight?',
      replyRef: { ours: OUR_SMS, customer: CUSTOMER, messageSid: SID },
    });
    expect(t.ingestCalls[0]?.flags).toBeUndefined();
  });

  it('passes the same providerId on a redelivery, so the store keeps one', async () => {
    t = await startTwilio('sms');
    expect((await t.post('/twilio/sms', inboundSms())).status).toBe(200);
    expect((await t.post('/twilio/sms', inboundSms())).status).toBe(200);
    expect(t.ingestCalls.map((e) => e.providerId)).toEqual([SID, SID]);
    expect(t.stored()).toHaveLength(1);
  });

  it('validates over every parameter received, including ones it does not know', async () => {
    t = await startTwilio('sms');
    const res = await t.post(
      '/twilio/sms',
      inboundSms({ SomeNewTwilioField: 'added without notice', Body: 'a+b & c=d' }),
    );
    expect(res.status).toBe(200);
    expect(t.ingestCalls[0]?.text).toBe('a+b & c=d');
  });

  it('answers 400 without a signature and 403 with a wrong one, storing nothing', async () => {
    t = await startTwilio('sms');
    const missing = await t.post('/twilio/sms', inboundSms(), 'missing');
    expect(missing).toMatchObject({ status: 400, body: 'missing X-Twilio-Signature' });
    const wrong = await t.post('/twilio/sms', inboundSms(), 'wrong-token');
    expect(wrong.status).toBe(403);
    expect(t.ingestCalls).toHaveLength(0);
  });

  it('answers 403 when a signed parameter was altered', async () => {
    t = await startTwilio('sms');
    const signed = inboundSms();
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_BASE}/twilio/sms`, signed);
    const res = await fetch(`${t.harness.url}/twilio/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams({ ...signed, Body: 'changed' }).toString(),
    });
    expect(res.status).toBe(403);
    expect(t.ingestCalls).toHaveLength(0);
  });

  it('answers 500 when storing fails, so Twilio can retry', async () => {
    t = await startTwilio('sms');
    t.control.failIngest = true;
    const res = await t.post('/twilio/sms', inboundSms());
    expect(res.status).toBe(500);
    expect(t.stored()).toHaveLength(0);
  });

  it('turns MediaUrl{N}/MediaContentType{N} into attachments', async () => {
    t = await startTwilio('sms');
    const media = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${SID}/Media/ME01`;
    await t.post(
      '/twilio/sms',
      inboundSms({
        NumMedia: '2',
        MediaUrl0: media,
        MediaContentType0: 'image/jpeg',
        MediaUrl1: `${media}x`,
        MediaContentType1: 'video/mp4',
        Body: '',
      }),
    );
    expect(t.ingestCalls[0]?.attachments).toEqual([
      { url: media, contentType: 'image/jpeg' },
      { url: `${media}x`, contentType: 'video/mp4' },
    ]);
  });

  it('keeps a signed message it cannot read, with the reason, and answers 200', async () => {
    t = await startTwilio('sms');
    const { From: _, ...noFrom } = inboundSms();
    const missing = await t.post('/twilio/sms', noFrom);
    expect([missing.status, missing.body]).toEqual([200, '<?xml version="1.0" encoding="UTF-8"?><Response/>']);
    expect((await t.post('/twilio/sms', inboundSms({ NumMedia: '1' }))).status).toBe(200);
    expect((await t.post('/twilio/sms', { Body: 'no sid' })).status).toBe(200);
    expect(t.ingestCalls).toHaveLength(0);
    expect(t.unreadable.map((u) => u.reason)).toEqual([
      'missing From',
      'NumMedia is 1 but MediaUrl0 is missing',
      'neither MessageSid nor CallSid',
    ]);
    expect(new URLSearchParams(t.unreadable[0]?.payload).get('Body')).toBe(noFrom.Body);
  });

  it('flags STOP, START and HELP for the core, and still stores them', async () => {
    t = await startTwilio('sms');
    const words = { S1: 'stop', S2: ' Start ', S3: 'HELP', S4: 'Cancel' };
    for (const [n, body] of Object.entries(words)) {
      await t.post('/twilio/sms', inboundSms({ MessageSid: `SM${n.padEnd(32, '0')}`, Body: body }));
    }
    await t.post('/twilio/sms', inboundSms({ MessageSid: `SM${'5'.repeat(32)}`, Body: 'quitte', OptOutType: 'STOP' }));
    expect(t.ingestCalls.map((e) => e.flags?.optOut)).toEqual(['stop', 'start', 'help', 'stop', 'stop']);
  });

  it('acknowledges a message from an alphanumeric sender without storing it', async () => {
    t = await startTwilio('sms');
    const res = await t.post('/twilio/sms', inboundSms({ From: 'ACMEBANK' }));
    expect(res.status).toBe(200);
    expect(t.ingestCalls).toHaveLength(0);
  });

  it('refuses a WhatsApp message on the SMS webhook, so the console mistake shows', async () => {
    t = await startTwilio('sms');
    const res = await t.post('/twilio/sms', inboundSms({ From: `whatsapp:${CUSTOMER}`, To: `whatsapp:${OUR_SMS}` }));
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/whatsapp message reached the sms webhook/);
    expect(t.unreadable).toEqual([{ reason: res.body, payload: expect.stringContaining('From=whatsapp') }]);
  });
});

describe('inbound WhatsApp webhook', () => {
  it('stores the sender without the whatsapp: prefix, with the profile name', async () => {
    t = await startTwilio('whatsapp');
    const res = await t.post(
      '/twilio/whatsapp',
      inboundSms({
        From: `whatsapp:${CUSTOMER}`,
        To: `whatsapp:${OUR_WA}`,
        ProfileName: 'Ana',
        WaId: CUSTOMER.slice(1),
      }),
    );
    expect(res.status).toBe(200);
    expect(t.ingestCalls[0]).toMatchObject({
      channel: 'whatsapp',
      touchpoint: { channel: 'whatsapp', kind: 'whatsapp' },
      threadKey: `${OUR_WA}/${CUSTOMER}`,
      from: { kind: 'whatsapp', value: CUSTOMER, verified: true, name: 'Ana' },
      replyRef: { ours: OUR_WA, customer: CUSTOMER },
    });
  });
});

describe('status callbacks', () => {
  const status = (s: string, extra: Record<string, string> = {}) => ({
    AccountSid: ACCOUNT_SID,
    MessageSid: SID,
    SmsSid: SID,
    MessageStatus: s,
    SmsStatus: s,
    From: OUR_SMS,
    To: CUSTOMER,
    ApiVersion: '2010-04-01',
    ...extra,
  });

  it('report delivery with the mapped status and Twilio error code', async () => {
    t = await startTwilio('sms');
    for (const s of ['queued', 'sent', 'delivered'])
      expect((await t.post('/twilio/sms/status', status(s))).status).toBe(200);
    await t.post('/twilio/sms/status', status('undelivered', { ErrorCode: '30003' }));
    expect(t.deliveries).toEqual([
      { providerId: SID, status: 'queued', error: null },
      { providerId: SID, status: 'sent', error: null },
      { providerId: SID, status: 'delivered', error: null },
      { providerId: SID, status: 'failed', error: expect.stringMatching(/^Twilio error 30003: /) },
    ]);
    expect(t.ingestCalls).toHaveLength(0);
  });

  it('maps WhatsApp read receipts, ignores unknown statuses, and checks the signature', async () => {
    t = await startTwilio('whatsapp');
    await t.post('/twilio/whatsapp/status', status('read'));
    await t.post('/twilio/whatsapp/status', status('some_future_status'));
    expect((await t.post('/twilio/whatsapp/status', status('failed'), 'wrong-token')).status).toBe(403);
    expect(t.deliveries).toEqual([{ providerId: SID, status: 'read', error: null }]);
  });
});
