import { afterEach, describe, expect, it } from 'vitest';
import type { SendCheck } from '../../../src/channel/contract.ts';
import type { OutboundMessage } from '../../../src/model/types.ts';
import { CUSTOMER, OUR_SMS, outbound, startTwilio } from './support/setup.ts';

/**
 * Asking Twilio, through the real twilio client against the fake's Messages
 * list, whether a send the router could not record went out.
 */
type Started = Awaited<ReturnType<typeof startTwilio>>;
let t: Started | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const thread = `${OUR_SMS}/${CUSTOMER}`;
const OTHER = '+14155550177';

function check(msg: OutboundMessage, since: number, known: string[] = []): Promise<SendCheck> {
  const reconcile = t?.adapter.reconcile;
  if (!t || !reconcile) throw new Error('the Twilio adapter reconciles');
  return reconcile.call(t.adapter, msg, { since, knownProviderIds: known });
}

describe('reconciling an unconfirmed Twilio send', () => {
  it('finds the message created since the attempt, still queued, by its body', async () => {
    t = await startTwilio('sms');
    const since = t.clock.now();
    const msg = outbound({ threadKey: thread, text: 'Your table is booked for 7pm.' });
    const sent = await t.adapter.send(msg);
    expect(await check(msg, since)).toEqual({ state: 'sent', providerId: sent.providerId });
    // Still found once Twilio has sent it, and only the list was asked: nothing was created again.
    t.api.markAllSent();
    expect(await check(msg, since)).toEqual({ state: 'sent', providerId: sent.providerId });
    expect(t.api.messages).toHaveLength(1);
    expect(t.api.log.filter((r) => r.method === 'GET').every((r) => r.path.endsWith('/Messages.json'))).toBe(true);
  });

  it('answers not-sent when nothing with that body went to that customer from that number since', async () => {
    t = await startTwilio('sms');
    const msg = outbound({ threadKey: thread, text: 'Your table is booked for 7pm.' });
    await t.adapter.send(outbound({ threadKey: `${OUR_SMS}/${OTHER}`, text: msg.text }));
    await t.adapter.send(outbound({ threadKey: thread, text: 'Something else' }));
    expect(await check(msg, t.clock.now())).toEqual({ state: 'not-sent' });
  });

  it('never takes a message the router already recorded, nor one from before the attempt, for it', async () => {
    t = await startTwilio('sms');
    const msg = outbound({ threadKey: thread, text: 'Loaf £4' });
    const earlier = await t.adapter.send(msg);
    t.clock.advance(60_000);
    const since = t.clock.now();
    // The same words sent a minute ago for another row of the conversation, whose sid is recorded.
    expect(await check(msg, since, [earlier.providerId as string])).toEqual({ state: 'not-sent' });
    t.clock.advance(10 * 60_000);
    const older = await t.adapter.send(outbound({ threadKey: thread, text: 'Opening hours: 9-5' }));
    t.clock.advance(10 * 60_000);
    expect(older.providerId).toBeTruthy();
    expect(await check(outbound({ threadKey: thread, text: 'Opening hours: 9-5' }), t.clock.now())).toEqual({
      state: 'not-sent',
    });
  });

  it('reads past the first page of the list', async () => {
    t = await startTwilio('sms');
    const since = t.clock.now();
    const msg = outbound({ threadKey: thread, text: 'The first reply' });
    const first = await t.adapter.send(msg);
    for (let i = 0; i < 120; i++) await t.adapter.send(outbound({ threadKey: thread, text: `later ${i}` }));
    expect(await check(msg, since)).toEqual({ state: 'sent', providerId: first.providerId });
    expect(t.api.log.filter((r) => r.method === 'GET').length).toBe(2);
  });

  it('finds the parts of a split reply that went out, so the resend sends only the rest', async () => {
    t = await startTwilio('sms', { maxSegments: 1, maxMessages: 3 });
    const since = t.clock.now();
    const text = 'This sentence is long enough to need a segment of its own, or nearly so. '.repeat(5).trim();
    const msg = outbound({ threadKey: thread, text });
    t.api.script('ok', 'ok', { drop: true });
    await t.adapter.send(msg).catch(() => undefined);
    expect(t.api.messages).toHaveLength(2);
    // As if the router died after Twilio created the second part, before it noted that part's sid.
    t.state.set(`sent:${msg.id}`, [t.api.messages[0]?.sid]);

    expect(await check(msg, since)).toEqual({ state: 'not-sent' });
    const result = await t.adapter.send(msg);
    expect(t.api.messages).toHaveLength(3);
    expect(t.api.messages.map((m) => m.body).join(' ')).toBe(text);
    expect(await check(msg, since)).toEqual({ state: 'sent', providerId: result.providerId });
  });

  it('answers unknown for a template, whose text Twilio renders', async () => {
    t = await startTwilio('whatsapp');
    const msg = outbound({
      channel: 'whatsapp',
      threadKey: `+14155550199/${CUSTOMER}`,
      parts: [{ contentSid: `HX${'0'.repeat(32)}` }],
    });
    expect(await check(msg, t.clock.now())).toMatchObject({ state: 'unknown' });
  });

  it('throws a SendError when the list cannot be read now, for the core to ask again later', async () => {
    t = await startTwilio('sms');
    t.api.script({ status: 429, code: 20429, retryAfter: '3' });
    await expect(check(outbound({ threadKey: thread }), t.clock.now())).rejects.toMatchObject({
      failure: 'rate_limited',
      retryAfterMs: 3000,
    });
  });
});
