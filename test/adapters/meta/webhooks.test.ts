import { afterEach, describe, expect, it } from 'vitest';
import {
  feedCommentPayload,
  igCommentPayload,
  messengerPayload,
  PAGE_ID,
  sign,
  startMeta,
  VERIFY_TOKEN,
} from './support.ts';

type Meta = Awaited<ReturnType<typeof startMeta>>;

describe('Meta webhooks (signed, against the adapter’s routes)', () => {
  let meta: Meta;
  afterEach(() => meta?.close());

  it('answers the subscription check with the challenge, or 403 for a wrong token', async () => {
    meta = await startMeta('facebook');
    const check = (token: string) =>
      fetch(`${meta.webhook}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`);
    const ok = await check(VERIFY_TOKEN);
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
    expect((await check('guess')).status).toBe(403);
  });

  it('stores a batch of Messenger messages as private DM envelopes, oldest first', async () => {
    meta = await startMeta('facebook');
    const res = await meta.post(
      messengerPayload([
        { psid: '501', mid: 'm.b', text: 'Are you open?', timestamp: 1_767_000_002_000 },
        { psid: '501', mid: 'm.a', text: 'Hello', timestamp: 1_767_000_001_000 },
        { psid: '501', mid: 'm.echo', timestamp: 1_767_000_003_000, echo: true },
      ]),
    );
    expect(res).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    expect(meta.ingestCalls.map((e) => e.text)).toEqual(['Hello', 'Are you open?']);
    expect(meta.ingestCalls[0]).toMatchObject({
      channel: 'facebook',
      providerId: 'm.a',
      touchpoint: { channel: 'facebook', kind: 'facebook.dm', visibility: 'private' },
      threadKey: `dm:${PAGE_ID}:501`,
      from: { kind: 'messenger', value: '501' },
      replyRef: { user: '501', mid: 'm.a', lastInboundAt: 1_767_000_001_000 },
    });
  });

  it('stores Page comments as public envelopes and ignores the Page’s own', async () => {
    meta = await startMeta('facebook');
    await meta.post(
      feedCommentPayload({
        comment: 'p_c1',
        from: '77',
        name: 'Cora',
        text: 'My cake was stale',
        created: 1_767_000_000,
      }),
    );
    await meta.post(feedCommentPayload({ comment: 'p_c2', from: PAGE_ID, text: 'Sorry!', created: 1_767_000_010 }));
    expect(meta.ingestCalls).toHaveLength(1);
    expect(meta.ingestCalls[0]).toMatchObject({
      providerId: 'p_c1',
      touchpoint: { kind: 'facebook.comment', visibility: 'public' },
      threadKey: `comment:${PAGE_ID}:p_c1`,
      from: { kind: 'facebook', value: '77', name: 'Cora' },
      replyRef: { comment: 'p_c1', root: 'p_c1', author: '77', commentAt: 1_767_000_000_000 },
    });
  });

  it('stores Instagram DMs and comments on the instagram channel', async () => {
    meta = await startMeta('instagram');
    await meta.post(
      messengerPayload(
        [{ psid: '901', mid: 'ig.m1', text: 'hi', timestamp: 1_767_000_000_000 }],
        'instagram',
        '1780000',
      ),
    );
    await meta.post(igCommentPayload({ id: '179', from: '901', text: 'Nice', time: 1_767_000_000 }));
    expect(meta.ingestCalls.map((e) => [e.touchpoint.kind, e.threadKey, e.from.kind])).toEqual([
      ['instagram.dm', 'dm:1780000:901', 'instagram'],
      ['instagram.comment', 'comment:1780000:179', 'instagram'],
    ]);
  });

  it('refuses a missing signature (401) or a wrong one (403) and stores nothing', async () => {
    meta = await startMeta('facebook');
    const payload = messengerPayload([{ psid: '501', mid: 'm.x', timestamp: 1 }]);
    expect((await meta.post(payload, 'missing')).status).toBe(401);
    const wrong = await meta.post(payload, 'wrong');
    expect(wrong).toEqual({ status: 403, text: expect.stringMatching(/invalid X-Hub-Signature-256/) });
    expect(meta.ingestCalls).toHaveLength(0);
  });

  it('keeps a signed body that is not JSON, or for the wrong object, and answers 200 so Meta stops', async () => {
    meta = await startMeta('facebook');
    const bad = await fetch(meta.webhook, {
      method: 'POST',
      body: 'nope',
      headers: { 'x-hub-signature-256': sign('nope') },
    });
    expect([bad.status, await bad.text()]).toEqual([200, 'EVENT_RECEIVED']);
    const wrong = await meta.post({ object: 'instagram', entry: [] });
    expect(wrong).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    expect(meta.unreadable).toEqual([
      { reason: expect.stringMatching(/^SyntaxError: /), payload: 'nope' },
      { reason: expect.stringMatching(/takes object "page"/), payload: '{"object":"instagram","entry":[]}' },
    ]);
    expect(meta.ingestCalls).toHaveLength(0);
  });

  it('stores the rest of a batch when some of its events cannot be read, and keeps those', async () => {
    meta = await startMeta('facebook');
    const payload = messengerPayload([
      { psid: '501', mid: 'm.ok1', text: 'first', timestamp: 1 },
      { psid: 'not a Graph id', mid: 'm.odd', text: 'odd sender', timestamp: 2 },
      { psid: '502', mid: 'm.ok2', text: 'second', timestamp: 3 },
    ]);
    payload.entry.push({ id: PAGE_ID, time: 4, messaging: [{ sender: 'nobody' } as never] });
    const res = await meta.post(payload);
    expect(res).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    expect(meta.ingestCalls.map((e) => e.text)).toEqual(['first', 'second']);
    expect(meta.unreadable.map((u) => u.reason)).toEqual([
      expect.stringMatching(/^TypeError: not a Graph id/),
      'unreadable messaging event',
    ]);
    expect(JSON.parse(meta.unreadable[0]?.payload ?? '')).toMatchObject({ sender: { id: 'not a Graph id' } });
    expect(JSON.parse(meta.unreadable[1]?.payload ?? '')).toEqual({ sender: 'nobody' });
  });

  it('answers 500 when what cannot be read cannot be kept either, so Meta delivers it again', async () => {
    meta = await startMeta('facebook');
    meta.control.failIngest = true;
    const res = await meta.post({ object: 'page', entry: 'odd' });
    expect(res.status).toBe(500);
  });

  it('answers 500 when the batch cannot be stored, so Meta delivers it again', async () => {
    meta = await startMeta('facebook');
    meta.control.failIngest = true;
    const res = await meta.post(messengerPayload([{ psid: '501', mid: 'm.y', timestamp: 1 }]));
    expect(res.status).toBe(500);
  });

  it('puts DMs from a person we privately replied to on the private-reply thread, as the commenter', async () => {
    meta = await startMeta('facebook');
    await meta.state.set('dm-link:1000001:601', {
      threadKey: 'pr:1000001:p_c1',
      from: { kind: 'facebook', value: '77' },
    });
    await meta.post(messengerPayload([{ psid: '601', mid: 'm.z', text: 'Here is my order', timestamp: 5 }]));
    expect(meta.ingestCalls[0]).toMatchObject({
      threadKey: 'pr:1000001:p_c1',
      from: { kind: 'facebook', value: '77' },
      replyRef: { user: '601' },
    });
  });
});
