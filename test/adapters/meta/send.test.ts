import { afterEach, describe, expect, it } from 'vitest';
import { META_CODES } from '../../../adapters/meta/api/errors.ts';
import { HOUR_MS } from '../../../adapters/meta/window.ts';
import { refusal } from '../../support/send-refusal.ts';
import { IG_ID, messengerPayload, outbound, PAGE_ID, startMeta } from './support.ts';

type Meta = Awaited<ReturnType<typeof startMeta>>;

describe('Meta sends (against the fake Graph API)', () => {
  let meta: Meta;
  afterEach(() => meta?.close());

  it('answers a Page comment publicly under the top-level comment', async () => {
    meta = await startMeta('facebook');
    const sent = await meta.adapter.send(
      outbound({
        threadKey: `comment:${PAGE_ID}:p_c1`,
        text: 'Sorry to hear that!',
        replyRef: { comment: 'p_c2', root: 'p_c1' },
      }),
    );
    expect(sent.providerId).toBe('p_c1_reply1');
    expect(meta.graph.sends).toMatchObject([{ kind: 'comment-reply', target: 'p_c1', text: 'Sorry to hear that!' }]);
  });

  it('answers an Instagram comment with /replies', async () => {
    meta = await startMeta('instagram');
    await meta.adapter.send(outbound({ channel: 'instagram', threadKey: `comment:${IG_ID}:179` }));
    expect(meta.graph.sends).toMatchObject([{ kind: 'comment-reply', target: '179' }]);
  });

  it('sends a DM inside the window as a RESPONSE', async () => {
    meta = await startMeta('facebook');
    const now = meta.clock.now();
    meta.graph.personWrote(PAGE_ID, '501', now - HOUR_MS);
    const sent = await meta.adapter.send(outbound({ threadKey: `dm:${PAGE_ID}:501`, lastInboundAt: now - HOUR_MS }));
    expect(sent.providerId).toMatch(/^m_/);
    expect(meta.graph.sends[0]).toMatchObject({
      kind: 'dm',
      target: PAGE_ID,
      to: '501',
      messagingType: 'RESPONSE',
      tag: null,
    });
  });

  it('tags an agent reply HUMAN_AGENT after 24 h and refuses the bot with a clear reason', async () => {
    meta = await startMeta('facebook');
    const lastInboundAt = meta.clock.now() - 30 * HOUR_MS;
    meta.graph.personWrote(PAGE_ID, '501', lastInboundAt);
    await meta.adapter.send(
      outbound({ threadKey: `dm:${PAGE_ID}:501`, lastInboundAt, author: { kind: 'agent', name: 'Ann' } }),
    );
    expect(meta.graph.sends[0]).toMatchObject({ messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });

    const bot = await refusal(meta.adapter.send(outbound({ threadKey: `dm:${PAGE_ID}:501`, lastInboundAt })));
    expect(bot).toMatchObject({ failure: 'permanent', providerCode: META_CODES.windowClosed });
    expect(bot.message).toMatch(/30 h ago.*only a person/);

    const late = meta.clock.now() - 8 * 24 * HOUR_MS;
    const agent = await refusal(
      meta.adapter.send(outbound({ threadKey: `dm:${PAGE_ID}:501`, lastInboundAt: late, author: { kind: 'agent' } })),
    );
    expect(agent.message).toMatch(/past 7 days/);
    expect(meta.graph.sends).toHaveLength(1);
  });

  it("takes Meta's word when its window is closed though ours looks open: permanent, never retried", async () => {
    meta = await startMeta('facebook');
    // Our record says the person wrote an hour ago; Meta last saw them two days ago.
    meta.graph.personWrote(PAGE_ID, '502', meta.clock.now() - 48 * HOUR_MS);
    const err = await refusal(
      meta.adapter.send(outbound({ threadKey: `dm:${PAGE_ID}:502`, lastInboundAt: meta.clock.now() - HOUR_MS })),
    );
    expect(err).toMatchObject({ failure: 'permanent', providerCode: META_CODES.windowClosed });
    expect(meta.graph.sends).toHaveLength(0);
  });

  it('sends one private reply to a comment, links the person’s DMs, and refuses a second', async () => {
    meta = await startMeta('facebook');
    const pub = {
      threadKey: `comment:${PAGE_ID}:p_c1`,
      replyRef: { comment: 'p_c1', root: 'p_c1', commentAt: meta.clock.now(), author: '77' },
    };
    const thread = meta.adapter.startThread?.({ to: { kind: 'facebook', value: '77' }, privateReplyTo: pub });
    expect(thread).toEqual({
      threadKey: `pr:${PAGE_ID}:p_c1`,
      touchpoint: { channel: 'facebook', kind: 'facebook.dm', visibility: 'private' },
      replyRef: { comment: 'p_c1', commentAt: meta.clock.now(), author: '77' },
    });
    meta.graph.setCommenter('p_c1', '601');
    const msg = { threadKey: thread!.threadKey, replyRef: thread!.replyRef, author: { kind: 'system' as const } };
    await meta.adapter.send(outbound({ ...msg, text: 'We are sorry: could you send your order number here?' }));
    expect(meta.graph.sends).toMatchObject([{ kind: 'private-reply', to: 'p_c1', target: PAGE_ID }]);

    const again = await refusal(meta.adapter.send(outbound({ ...msg, text: 'One more thing' })));
    expect(again).toMatchObject({ failure: 'permanent', providerCode: META_CODES.waitingForAnswer });
    expect(again.message).toMatch(/already sent; Meta allows one/);

    // the person answers in Messenger: the DM lands on the private thread
    await meta.post(messengerPayload([{ psid: '601', mid: 'm.r1', text: 'It is 1234', timestamp: meta.clock.now() }]));
    expect(meta.ingestCalls[0]).toMatchObject({
      threadKey: `pr:${PAGE_ID}:p_c1`,
      from: { kind: 'facebook', value: '77' },
    });
    // replies on that thread now go to the PSID, inside the window it opened
    await meta.adapter.send(
      outbound({ ...msg, replyRef: meta.ingestCalls[0]!.replyRef!, lastInboundAt: meta.clock.now() }),
    );
    expect(meta.graph.sends[1]).toMatchObject({ kind: 'dm', to: '601', messagingType: 'RESPONSE' });
  });

  it('maps the Graph API’s refusal of a second private reply to a permanent error', async () => {
    meta = await startMeta('facebook');
    const replyRef = { comment: 'p_c9', commentAt: meta.clock.now(), author: '77' };
    await meta.adapter.send(outbound({ threadKey: `pr:${PAGE_ID}:p_c9`, replyRef }));
    // a crash lost our record of it: Graph itself refuses the second one
    await meta.state.clear();
    const err = await refusal(meta.adapter.send(outbound({ threadKey: `pr:${PAGE_ID}:p_c9`, replyRef })));
    expect(err).toMatchObject({ failure: 'permanent', providerCode: META_CODES.privateReplyUsed });
    expect(err.message).toMatch(/error 10900/);
  });

  it('offers no private reply to a comment older than 7 days, nor for someone else, nor a DM first', async () => {
    meta = await startMeta('facebook');
    const old = { comment: 'p_c1', commentAt: meta.clock.now() - 8 * 24 * HOUR_MS, author: '77' };
    const pub = (replyRef: Record<string, unknown>) => ({ threadKey: `comment:${PAGE_ID}:p_c1`, replyRef });
    expect(meta.adapter.startThread?.({ to: { kind: 'facebook', value: '77' }, privateReplyTo: pub(old) })).toBeNull();
    const fresh = { ...old, commentAt: meta.clock.now() };
    expect(
      meta.adapter.startThread?.({ to: { kind: 'facebook', value: '78' }, privateReplyTo: pub(fresh) }),
    ).toBeNull();
    expect(meta.adapter.startThread?.({ to: { kind: 'messenger', value: '601' } })).toBeNull();
  });

  it('refuses a private reply past 7 days at send time too', async () => {
    meta = await startMeta('facebook');
    const replyRef = { comment: 'p_c1', commentAt: meta.clock.now() - 8 * 24 * HOUR_MS, author: '77' };
    const err = await refusal(meta.adapter.send(outbound({ threadKey: `pr:${PAGE_ID}:p_c1`, replyRef })));
    expect(err).toMatchObject({ providerCode: META_CODES.privateReplyExpired });
    expect(meta.graph.sends).toHaveLength(0);
  });

  it('waits on throttling and refuses a foreign thread key', async () => {
    meta = await startMeta('facebook');
    meta.graph.script({
      status: 400,
      code: 613,
      message: 'Calls to this api have exceeded the rate limit.',
      retryAfter: '2',
    });
    const err = await refusal(meta.adapter.send(outbound({ threadKey: `comment:${PAGE_ID}:p_c1` })));
    expect(err).toMatchObject({ failure: 'rate_limited', retryAfterMs: 2000 });
    const foreign = await refusal(meta.adapter.send(outbound({ threadKey: '+14155550100/+14155550123' })));
    expect(foreign.message).toMatch(/not a facebook thread/);
    const other = await refusal(meta.adapter.send(outbound({ threadKey: 'comment:999:p_c1' })));
    expect(other.message).toMatch(/belongs to 999/);
  });
});
