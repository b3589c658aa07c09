import { afterEach, describe, expect, it } from 'vitest';
import type { SendCheck } from '../../../src/channel/contract.ts';
import type { OutboundMessage } from '../../../src/model/types.ts';
import { refusal } from '../../support/send-refusal.ts';
import {
  feedCommentPayload,
  IG_ID,
  igCommentPayload,
  messengerPayload,
  outbound,
  PAGE_ID,
  startMeta,
} from './support.ts';

/**
 * Asking Graph, through the adapter's own client against the fake's read
 * edges (conversations, comment replies, can_reply_privately), whether a send
 * the router could not record went out.
 */
type Meta = Awaited<ReturnType<typeof startMeta>>;
let meta: Meta | null = null;
afterEach(async () => {
  await meta?.close();
  meta = null;
});

function check(msg: OutboundMessage, since: number, known: string[] = []): Promise<SendCheck> {
  const reconcile = meta?.adapter.reconcile;
  if (!meta || !reconcile) throw new Error('the Meta adapter reconciles');
  return reconcile.call(meta.adapter, msg, { since, knownProviderIds: known });
}

const reads = (m: Meta) => m.graph.sends.length;

describe('reconciling an unconfirmed Messenger or Instagram DM', () => {
  it('finds our message in the person’s conversation since the attempt, and nothing is sent again', async () => {
    meta = await startMeta('facebook');
    const now = meta.clock.now();
    await meta.post(messengerPayload([{ psid: '501', mid: 'm.in1', text: 'Are you open?', timestamp: now }]));
    const msg = outbound({ threadKey: `dm:${PAGE_ID}:501`, text: 'Yes, until 6pm.', lastInboundAt: now });
    const since = meta.clock.now();
    const sent = await meta.adapter.send(msg);
    expect(await check(msg, since)).toEqual({ state: 'sent', providerId: sent.providerId });
    expect(reads(meta)).toBe(1);
  });

  it('answers not-sent when only the person wrote, or our same words went out before the attempt or are recorded', async () => {
    meta = await startMeta('facebook');
    const t0 = meta.clock.now();
    // The person's own message has the very words: not ours.
    await meta.post(messengerPayload([{ psid: '502', mid: 'm.in2', text: 'Yes, until 6pm.', timestamp: t0 }]));
    const msg = outbound({ threadKey: `dm:${PAGE_ID}:502`, text: 'Yes, until 6pm.', lastInboundAt: t0 });
    expect(await check(msg, t0)).toEqual({ state: 'not-sent' });
    const earlier = await meta.adapter.send(msg);
    // Recorded for another row of the conversation: never taken for this one.
    expect(await check(msg, t0, [earlier.providerId as string])).toEqual({ state: 'not-sent' });
    // Sent ten minutes before the attempt (clock skew allows one).
    meta.clock.advance(10 * 60_000);
    expect(await check(msg, meta.clock.now())).toEqual({ state: 'not-sent' });
    // Someone we never wrote to has no conversation at all.
    expect(await check(outbound({ threadKey: `dm:${PAGE_ID}:999`, lastInboundAt: t0 }), t0)).toEqual({
      state: 'not-sent',
    });
  });

  it('reads past the first page of the conversation', async () => {
    meta = await startMeta('instagram');
    const now = meta.clock.now();
    await meta.post(messengerPayload([{ psid: '71', mid: 'm.in3', text: 'hi', timestamp: now }], 'instagram', IG_ID));
    const dm = (text: string) =>
      outbound({ channel: 'instagram', threadKey: `dm:${IG_ID}:71`, text, lastInboundAt: now });
    const since = meta.clock.now();
    const first = await meta.adapter.send(dm('The first reply'));
    for (let i = 0; i < 60; i++) {
      meta.clock.advance(1_000);
      await meta.adapter.send(dm(`later ${i}`));
    }
    expect(await check(dm('The first reply'), since)).toEqual({ state: 'sent', providerId: first.providerId });
  });
});

describe('reconciling an unconfirmed public reply to a comment', () => {
  it('finds the Page’s reply under the Facebook comment by its text', async () => {
    meta = await startMeta('facebook');
    const msg = outbound({ threadKey: `comment:${PAGE_ID}:p_c1`, text: 'Thanks, Cora!' });
    const since = meta.clock.now();
    expect(await check(msg, since)).toEqual({ state: 'not-sent' });
    await meta.adapter.send(outbound({ threadKey: `comment:${PAGE_ID}:p_c1`, text: 'Something else' }));
    expect(await check(msg, since)).toEqual({ state: 'not-sent' });
    const sent = await meta.adapter.send(msg);
    expect(await check(msg, since)).toEqual({ state: 'sent', providerId: sent.providerId });
  });

  it('finds the account’s reply under the Instagram comment (/replies)', async () => {
    meta = await startMeta('instagram');
    const msg = outbound({ channel: 'instagram', threadKey: `comment:${IG_ID}:17901`, text: 'Thank you!' });
    const since = meta.clock.now();
    expect(await check(msg, since)).toEqual({ state: 'not-sent' });
    const sent = await meta.adapter.send(msg);
    expect(await check(msg, since)).toEqual({ state: 'sent', providerId: sent.providerId });
    // Instagram lists replies in no promised order: each one's own time keeps an older reply out.
    meta.clock.advance(10 * 60_000);
    expect(await check(msg, meta.clock.now())).toEqual({ state: 'not-sent' });
  });
});

describe('reconciling an unconfirmed private reply to a comment', () => {
  it('Facebook: finds it in the conversations, remembers it and links the person’s DMs, or sees the comment can still take one', async () => {
    meta = await startMeta('facebook');
    const t0 = meta.clock.now();
    await meta.post(feedCommentPayload({ comment: 'p_c5', from: '77', text: 'Wrong cake!', created: t0 / 1000 }));
    meta.graph.setCommenter('p_c5', '605');
    const replyRef = { comment: 'p_c5', commentAt: t0, author: '77' };
    const msg = outbound({ threadKey: `pr:${PAGE_ID}:p_c5`, replyRef, text: 'So sorry: what is your order number?' });
    expect(await check(msg, t0)).toEqual({ state: 'not-sent' });

    const sent = await meta.adapter.send(msg);
    // As if the router died before it noted the reply: the state is gone, Graph still has the message.
    await meta.state.clear();
    expect(await check(msg, t0)).toEqual({ state: 'sent', providerId: sent.providerId });
    // Remembered as the adapter would have: a later send says why without calling Graph.
    const again = await refusal(meta.adapter.send(outbound({ threadKey: `pr:${PAGE_ID}:p_c5`, replyRef })));
    expect(again.message).toMatch(/already sent/);
    await meta.post(messengerPayload([{ psid: '605', mid: 'm.r5', text: '1234', timestamp: meta.clock.now() }]));
    expect(meta.ingestCalls.at(-1)).toMatchObject({ threadKey: `pr:${PAGE_ID}:p_c5` });
    expect(meta.graph.sends).toHaveLength(1);
  });

  it('Facebook: unknown when the comment takes no more private replies and ours is not found', async () => {
    meta = await startMeta('facebook');
    const t0 = meta.clock.now();
    await meta.post(feedCommentPayload({ comment: 'p_c6', from: '78', text: 'Hello', created: t0 / 1000 }));
    const replyRef = { comment: 'p_c6', commentAt: t0, author: '78' };
    // Someone else (a person in the Page inbox) answered the comment privately, with other words.
    await meta.adapter.send(outbound({ threadKey: `pr:${PAGE_ID}:p_c6`, replyRef, text: 'Hi from Ann' }));
    await meta.state.clear();
    const msg = outbound({ threadKey: `pr:${PAGE_ID}:p_c6`, replyRef, text: 'Our bot’s words' });
    expect(await check(msg, t0)).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/no more private replies/),
    });
  });

  it('Instagram: found in the conversations, else not-sent', async () => {
    meta = await startMeta('instagram');
    const t0 = meta.clock.now();
    await meta.post(igCommentPayload({ id: '17905', from: '88', text: 'Price?', time: t0 }));
    const replyRef = { comment: '17905', commentAt: t0, author: '88' };
    const msg = outbound({ channel: 'instagram', threadKey: `pr:${IG_ID}:17905`, replyRef, text: 'It is £4.' });
    expect(await check(msg, t0)).toEqual({ state: 'not-sent' });
    const sent = await meta.adapter.send(msg);
    await meta.state.clear();
    expect(await check(msg, t0)).toEqual({ state: 'sent', providerId: sent.providerId });
  });
});

describe('when Graph cannot be asked', () => {
  it('throws a permanent SendError for a missing permission (the core flags the conversation)', async () => {
    meta = await startMeta('facebook');
    meta.graph.scriptReads({
      status: 403,
      code: 10,
      message: '(#10) Application does not have permission for this action',
    });
    const err = await refusal(check(outbound({ threadKey: `dm:${PAGE_ID}:501` }), meta.clock.now()));
    expect(err).toMatchObject({ failure: 'permanent' });
    expect(err.message).toMatch(/permission/);
  });

  it('throws a rate-limited SendError when throttled, to be asked again later', async () => {
    meta = await startMeta('facebook');
    meta.graph.scriptReads({
      status: 400,
      code: 613,
      message: 'Calls to this api have exceeded the rate limit.',
      retryAfter: '3',
    });
    const err = await refusal(check(outbound({ threadKey: `comment:${PAGE_ID}:p_c1` }), meta.clock.now()));
    expect(err).toMatchObject({ failure: 'rate_limited', retryAfterMs: 3000 });
  });
});
