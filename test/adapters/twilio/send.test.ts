import { afterEach, describe, expect, it } from 'vitest';
import { countSegments } from '../../../adapters/twilio/format/segments.ts';
import { SendError } from '../../../src/errors.ts';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  CUSTOMER,
  OUR_SMS,
  OUR_WA,
  outbound,
  PUBLIC_BASE,
  startTwilio,
} from './support/setup.ts';

type Started = Awaited<ReturnType<typeof startTwilio>>;
let t: Started | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const smsThread = `${OUR_SMS}/${CUSTOMER}`;
const waThread = `${OUR_WA}/${CUSTOMER}`;

async function sendError(p: Promise<unknown>): Promise<SendError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SendError);
  return err as SendError;
}

describe('sending SMS through the twilio client', () => {
  it('creates one message with our number, the status callback, and returns its SID', async () => {
    t = await startTwilio('sms');
    const result = await t.adapter.send(outbound({ threadKey: smsThread, text: 'Your table is booked for 7pm.' }));
    expect(t.api.messages).toHaveLength(1);
    const m = t.api.messages[0];
    expect(m).toMatchObject({
      accountSid: ACCOUNT_SID,
      from: OUR_SMS,
      to: CUSTOMER,
      body: 'Your table is booked for 7pm.',
      statusCallback: `${PUBLIC_BASE}/twilio/sms/status`,
      numSegments: 1,
    });
    expect(result.providerId).toBe(m?.sid);
    expect(result.providerId).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('sends MMS media URLs with the first body only', async () => {
    t = await startTwilio('sms', { maxSegments: 1 });
    await t.adapter.send(
      outbound({
        threadKey: smsThread,
        text: 'Here is your receipt. '.repeat(10),
        attachments: [
          { contentType: 'image/png', url: 'https://cdn.example.com/a.png' },
          { contentType: 'application/pdf', url: 'https://cdn.example.com/b.pdf' },
        ],
      }),
    );
    expect(t.api.messages.length).toBeGreaterThan(1);
    expect(t.api.messages[0]?.mediaUrls).toEqual(['https://cdn.example.com/a.png', 'https://cdn.example.com/b.pdf']);
    expect(t.api.messages.slice(1).every((m) => m.mediaUrls.length === 0)).toBe(true);
  });

  it('sends media alone when there is no text, and refuses an attachment without URL', async () => {
    t = await startTwilio('sms');
    await t.adapter.send(
      outbound({
        threadKey: smsThread,
        text: '',
        attachments: [{ contentType: 'image/jpeg', url: 'https://x.test/p.jpg' }],
      }),
    );
    expect(t.api.messages[0]).toMatchObject({ body: null, mediaUrls: ['https://x.test/p.jpg'] });
    const err = await sendError(
      t.adapter.send(outbound({ threadKey: smsThread, attachments: [{ contentType: 'image/jpeg' }] })),
    );
    expect(err.failure).toBe('permanent');
  });

  it('splits a long reply into messages of at most maxSegments, as Twilio counts them', async () => {
    t = await startTwilio('sms', { maxSegments: 2, maxMessages: 5 });
    const text = 'We have received your request and a member of the team will look at it shortly. '.repeat(8);
    await t.adapter.send(outbound({ threadKey: smsThread, text }));
    expect(t.api.messages.length).toBe(3);
    for (const m of t.api.messages) expect(m.numSegments).toBeLessThanOrEqual(2);
    expect(t.api.messages.map((m) => m.body).join(' ')).toBe(text.trim());
  });

  it('counts an emoji reply in UCS-2 and shortens past maxMessages with an ellipsis', async () => {
    t = await startTwilio('sms', { maxSegments: 1, maxMessages: 1 });
    const text = 'Thanks for your order 😀 it will ship tomorrow morning and arrive within three working days.';
    await t.adapter.send(outbound({ threadKey: smsThread, text }));
    const body = t.api.messages[0]?.body ?? '';
    expect(body.endsWith('…')).toBe(true);
    expect(countSegments(body)).toMatchObject({ encoding: 'UCS-2', segments: 1 });
    expect(t.api.messages[0]?.numSegments).toBe(1);
  });

  it('counts GSM extension characters double when splitting', async () => {
    t = await startTwilio('sms', { maxSegments: 1, maxMessages: 3 });
    const text = `Price: ${'{€} '.repeat(30)}`; // 127 characters but 187 septets
    await t.adapter.send(outbound({ threadKey: smsThread, text }));
    expect(t.api.messages).toHaveLength(2);
    for (const m of t.api.messages)
      expect(countSegments(m.body ?? '')).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });

  it('resumes a split reply after a failure without resending the parts already sent', async () => {
    t = await startTwilio('sms', { maxSegments: 1, maxMessages: 3 });
    const text = 'This sentence is long enough to need a segment of its own, or nearly so. '.repeat(5).trim();
    const msg = outbound({ threadKey: smsThread, text });
    t.api.script('ok', { status: 429, code: 20429, message: 'Too Many Requests' });
    const err = await sendError(t.adapter.send(msg));
    expect(err.failure).toBe('rate_limited');
    expect(t.api.messages).toHaveLength(1);

    const result = await t.adapter.send({ ...msg, attempt: 2 });
    expect(t.api.messages).toHaveLength(3);
    expect(t.api.messages.map((m) => m.body).join(' ')).toBe(text);
    expect(result.providerId).toBe(t.api.messages[0]?.sid);
  });
});

describe('send failures', () => {
  it('429 with code 20429 is rate_limited across the account, waiting for Retry-After', async () => {
    t = await startTwilio('sms');
    t.api.script({ status: 429, code: 20429, message: 'Too Many Requests', retryAfter: '7' });
    const err = await sendError(t.adapter.send(outbound({ threadKey: smsThread })));
    expect(err).toMatchObject({ failure: 'rate_limited', retryAfterMs: 7000, providerCode: '20429', scope: 'account' });
  });

  it('a 429 without Retry-After waits one second', async () => {
    t = await startTwilio('sms');
    t.api.script({ status: 429, code: 20429 });
    const err = await sendError(t.adapter.send(outbound({ threadKey: smsThread })));
    expect(err).toMatchObject({ failure: 'rate_limited', retryAfterMs: 1000 });
  });

  it('5xx and a dropped connection are transient; a connection dropped after the request is uncertain', async () => {
    t = await startTwilio('sms');
    t.api.script({ status: 503, code: 20503, message: 'Service Unavailable' }, { drop: true });
    const first = await sendError(t.adapter.send(outbound({ threadKey: smsThread })));
    expect(first).toMatchObject({ failure: 'transient', providerCode: '20503', uncertain: false });
    const second = await sendError(t.adapter.send(outbound({ threadKey: smsThread })));
    expect(second).toMatchObject({ failure: 'transient', uncertain: true });
    expect(t.api.messages).toHaveLength(0);
  });

  it('21610 (recipient replied STOP) is permanent and says so', async () => {
    t = await startTwilio('sms');
    t.api.optOut(CUSTOMER);
    const err = await sendError(t.adapter.send(outbound({ threadKey: smsThread })));
    expect(err).toMatchObject({ failure: 'permanent', providerCode: '21610' });
    expect(err.message).toMatch(/opted out/);
  });

  it('21211 (invalid number) and other 4xx are permanent', async () => {
    t = await startTwilio('sms');
    t.api.script({ status: 400, code: 21211, message: "The 'To' number +1555 is not a valid phone number." });
    const err = await sendError(t.adapter.send(outbound({ threadKey: smsThread })));
    expect(err).toMatchObject({ failure: 'permanent', providerCode: '21211' });
  });

  it('a wrong auth token is permanent (401, 20003), even when Twilio would have rate-limited the request', async () => {
    t = await startTwilio('sms', { authToken: 'not-the-token' });
    t.api.script({ status: 429, code: 20429, retryAfter: '7' });
    const err = await sendError(t.adapter.send(outbound({ threadKey: smsThread })));
    expect(err).toMatchObject({ failure: 'permanent', providerCode: '20003' });
    // The scripted answer is still there for the first request that authenticates.
    const authorised = await fetch(`${t.api.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}` },
      body: new URLSearchParams({ To: CUSTOMER, From: OUR_SMS, Body: 'hi' }),
    });
    expect(authorised.status).toBe(429);
  });

  it('a thread key of another adapter is permanent', async () => {
    t = await startTwilio('sms');
    const err = await sendError(t.adapter.send(outbound({ threadKey: 'sink:abc' })));
    expect(err.failure).toBe('permanent');
    expect(t.api.requests).toBe(0);
  });
});

describe('WhatsApp', () => {
  const HOUR = 3_600_000;
  const waMsg = (lastInboundAt: number | null, extra: Record<string, unknown> = {}) =>
    outbound({
      threadKey: waThread,
      channel: 'whatsapp',
      destination: OUR_WA,
      replyRef: { ours: OUR_WA, customer: CUSTOMER },
      lastInboundAt,
      ...extra,
    });

  it('sends free-form within 24 h of the last inbound, with whatsapp: addresses', async () => {
    t = await startTwilio('whatsapp');
    const now = t.clock.now();
    await t.adapter.send(waMsg(now - 23 * HOUR));
    expect(t.api.messages[0]).toMatchObject({ from: `whatsapp:${OUR_WA}`, to: `whatsapp:${CUSTOMER}`, body: 'Hello' });
    expect(t.api.messages[0]?.statusCallback).toBe(`${PUBLIC_BASE}/twilio/whatsapp/status`);
  });

  it('refuses free-form after the window, or with no inbound known, without calling Twilio', async () => {
    t = await startTwilio('whatsapp');
    const late = await sendError(t.adapter.send(waMsg(t.clock.now() - 25 * HOUR)));
    expect(late).toMatchObject({ failure: 'permanent', providerCode: 'whatsapp_window_closed' });
    const unknown = await sendError(t.adapter.send(waMsg(null)));
    expect(unknown.providerCode).toBe('whatsapp_window_closed');
    expect(t.api.requests).toBe(0);
  });

  it('ignores a lastInboundAt left in an old reply reference: the conversation decides', async () => {
    t = await startTwilio('whatsapp');
    const now = t.clock.now();
    const err = await sendError(
      t.adapter.send(waMsg(now - 30 * HOUR, { replyRef: { ours: OUR_WA, customer: CUSTOMER, lastInboundAt: now } })),
    );
    expect(err.providerCode).toBe('whatsapp_window_closed');
  });

  it('sends an approved template outside the window', async () => {
    t = await startTwilio('whatsapp');
    const contentSid = `HX${'ab'.repeat(16)}`;
    await t.adapter.send(waMsg(null, { parts: [{ contentSid, variables: { 1: 'Ana', 2: 'Friday' } }] }));
    expect(t.api.messages[0]).toMatchObject({ contentSid, contentVariables: '{"1":"Ana","2":"Friday"}', body: null });
  });

  it("maps Twilio's own window error 63016 to whatsapp_window_closed", async () => {
    t = await startTwilio('whatsapp');
    t.api.script({ status: 400, code: 63016, message: 'Failed to send freeform message outside the window' });
    const err = await sendError(t.adapter.send(waMsg(t.clock.now())));
    expect(err).toMatchObject({ failure: 'permanent', providerCode: 'whatsapp_window_closed' });
  });

  it('refuses a malformed template part instead of sending free-form', async () => {
    t = await startTwilio('whatsapp');
    const err = await sendError(t.adapter.send(waMsg(t.clock.now(), { parts: [{ contentSid: 'nope' }] })));
    expect(err.failure).toBe('permanent');
    expect(t.api.requests).toBe(0);
  });
});
