import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, CUSTOMER, OUR_SMS, outbound, PUBLIC_BASE, startTwilio } from './support/setup.ts';

type Started = Awaited<ReturnType<typeof startTwilio>>;
let t: Started | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const CALL = 'CA0123456789abcdef0123456789abcdef';
const REC = 'RE0123456789abcdef0123456789abcdef';
const FORWARD = '+14155550111';
const recordingUrl = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${REC}`;

const call = (extra: Record<string, string> = {}) => ({
  AccountSid: ACCOUNT_SID,
  ApiVersion: '2010-04-01',
  CallSid: CALL,
  CallStatus: 'ringing',
  Direction: 'inbound',
  From: CUSTOMER,
  To: OUR_SMS,
  Caller: CUSTOMER,
  Called: OUR_SMS,
  ...extra,
});

const voice = (extra: Record<string, unknown> = {}) => ({ voice: { forwardTo: FORWARD, ...extra } });

describe('incoming calls', () => {
  it('forward to the business phone in hours, with the dial result posted back', async () => {
    t = await startTwilio('sms', voice());
    const res = await t.post('/twilio/voice', call());
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/xml/);
    expect(res.body).toContain(`<Dial action="${PUBLIC_BASE}/twilio/voice/dial" method="POST" timeout="20">`);
    expect(res.body).toContain(`<Number>${FORWARD}</Number>`);
    expect(t.ingestCalls).toHaveLength(0);
  });

  it('after hours store a missed call, then play voicemail with transcription', async () => {
    t = await startTwilio('sms', voice());
    t.control.open = false;
    const res = await t.post('/twilio/voice', call());
    expect(res.status).toBe(200);
    expect(res.body).toContain('<Say>Sorry, we cannot take your call right now.');
    expect(res.body).toMatch(
      new RegExp(
        `<Record action="${PUBLIC_BASE}/twilio/voice/recording" method="POST" maxLength="120" playBeep="true" transcribe="true" transcribeCallback="${PUBLIC_BASE}/twilio/voice/transcription"/>`,
      ),
    );
    expect(res.body).not.toContain('<Dial');
    expect(t.ingestCalls).toHaveLength(1);
    expect(t.ingestCalls[0]).toMatchObject({
      channel: 'sms',
      providerId: `${CALL}:missed`,
      touchpoint: { channel: 'sms', kind: 'voice', visibility: 'private' },
      threadKey: `${OUR_SMS}/${CUSTOMER}`,
      from: { kind: 'phone', value: CUSTOMER, verified: false },
      text: 'Missed call',
    });
  });

  it('say the closed message and hang up when voicemail is off', async () => {
    t = await startTwilio('sms', voice({ voicemail: { enabled: false }, language: 'en-GB' }));
    t.control.open = false;
    const res = await t.post('/twilio/voice', call());
    expect(res.body).toContain(
      '<Say language="en-GB">Sorry, we are closed right now. We will text you shortly.</Say><Hangup/>',
    );
    expect(t.ingestCalls.map((e) => e.text)).toEqual(['Missed call']);
  });

  it('go straight to voicemail when no forwarding number is set', async () => {
    t = await startTwilio('sms', { voice: {} });
    const res = await t.post('/twilio/voice', call());
    expect(res.body).toContain('<Record');
    expect(t.ingestCalls).toHaveLength(1);
  });

  it('do not acknowledge a call whose missed-call record could not be stored', async () => {
    t = await startTwilio('sms', voice());
    t.control.open = false;
    t.control.failIngest = true;
    expect((await t.post('/twilio/voice', call())).status).toBe(500);
  });

  it('check the signature', async () => {
    t = await startTwilio('sms', voice());
    expect((await t.post('/twilio/voice', call(), 'missing')).status).toBe(400);
    expect((await t.post('/twilio/voice', call(), 'wrong-token')).status).toBe(403);
  });

  it('are not served when voice is not configured', async () => {
    t = await startTwilio('sms');
    expect((await t.post('/twilio/voice', call())).status).toBe(404);
  });
});

describe('dial results', () => {
  it('hang up after an answered forward, storing nothing', async () => {
    t = await startTwilio('sms', voice());
    const res = await t.post('/twilio/voice/dial', call({ DialCallStatus: 'completed', DialCallDuration: '42' }));
    expect(res.body).toContain('<Hangup/>');
    expect(t.ingestCalls).toHaveLength(0);
  });

  it('store one missed call for no-answer, busy or failed, then offer voicemail', async () => {
    t = await startTwilio('sms', voice());
    for (const status of ['no-answer', 'busy', 'failed']) {
      const res = await t.post('/twilio/voice/dial', call({ DialCallStatus: status }));
      expect(res.body).toContain('<Record');
    }
    expect(t.ingestCalls.map((e) => e.providerId)).toEqual([`${CALL}:missed`, `${CALL}:missed`, `${CALL}:missed`]);
    expect(t.stored()).toHaveLength(1);
  });

  it('leave a withheld number unstored but still answer the caller', async () => {
    t = await startTwilio('sms', voice());
    const res = await t.post('/twilio/voice/dial', call({ DialCallStatus: 'no-answer', From: 'anonymous' }));
    expect(res.status).toBe(200);
    expect(res.body).toContain('<Record');
    expect(t.ingestCalls).toHaveLength(0);
  });
});

describe('voicemail', () => {
  const recording = (extra: Record<string, string> = {}) =>
    call({ RecordingSid: REC, RecordingUrl: recordingUrl, RecordingDuration: '14', CallStatus: 'completed', ...extra });

  it('becomes a message with the transcription and the audio', async () => {
    t = await startTwilio('sms', voice());
    const action = await t.post('/twilio/voice/recording', recording());
    expect(action.body).toContain('<Hangup/>');
    expect(t.ingestCalls).toHaveLength(0); // waits for the text
    const res = await t.post(
      '/twilio/voice/transcription',
      recording({
        TranscriptionSid: 'TR01',
        TranscriptionStatus: 'completed',
        TranscriptionText: 'Hi, please call me back about my booking.',
      }),
    );
    expect(res.status).toBe(200);
    expect(t.ingestCalls[0]).toMatchObject({
      channel: 'sms',
      providerId: REC,
      touchpoint: { kind: 'voice' },
      threadKey: `${OUR_SMS}/${CUSTOMER}`,
      text: 'Hi, please call me back about my booking.',
      attachments: [{ contentType: 'audio/mpeg', url: `${recordingUrl}.mp3`, name: `${REC}.mp3` }],
    });
  });

  it('keeps the voicemail when transcription failed, and finds the caller without From/To', async () => {
    t = await startTwilio('sms', voice());
    t.control.open = false;
    await t.post('/twilio/voice', call());
    const { From: _f, To: _t, Caller: _c, Called: _d, ...bare } = recording({ TranscriptionStatus: 'failed' });
    const res = await t.post('/twilio/voice/transcription', bare);
    expect(res.status).toBe(200);
    expect(t.ingestCalls.map((e) => [e.providerId, e.text, e.threadKey])).toEqual([
      [`${CALL}:missed`, 'Missed call', `${OUR_SMS}/${CUSTOMER}`],
      [REC, 'Voicemail (no transcription available)', `${OUR_SMS}/${CUSTOMER}`],
    ]);
  });

  it('is stored at the end of the recording when transcription is off', async () => {
    t = await startTwilio('sms', voice({ voicemail: { transcribe: false } }));
    t.control.open = false;
    const twiml = (await t.post('/twilio/voice', call())).body;
    expect(twiml).not.toContain('transcribe');
    await t.post('/twilio/voice/recording', recording());
    await t.post('/twilio/voice/recording', recording({ RecordingDuration: '0', RecordingSid: 'RE_empty' }));
    expect(t.ingestCalls.map((e) => e.text)).toEqual(['Missed call', 'Voicemail']);
  });
});

describe('SMS follow-up after a missed call', () => {
  it('goes out from the called number to the caller, on the same thread', async () => {
    t = await startTwilio('sms', voice());
    t.control.open = false;
    await t.post('/twilio/voice', call());
    const missed = t.ingestCalls[0];
    await t.adapter.send(outbound({ threadKey: missed?.threadKey ?? '', text: 'Sorry we missed your call!' }));
    expect(t.api.messages[0]).toMatchObject({ from: OUR_SMS, to: CUSTOMER, body: 'Sorry we missed your call!' });
  });
});
