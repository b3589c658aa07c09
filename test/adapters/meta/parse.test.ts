import { describe, expect, it } from 'vitest';
import { parseWebhook } from '../../../adapters/meta/webhook/parse.ts';
import { subscriptionChallenge, verifySignature } from '../../../adapters/meta/webhook/verify.ts';
import type { HttpRequest } from '../../../src/http/http-types.ts';
import { APP_SECRET, feedCommentPayload, IG_ID, igCommentPayload, messengerPayload, PAGE_ID, sign } from './support.ts';

const request = (body: string, signature?: string): HttpRequest =>
  ({
    method: 'POST',
    path: '/meta/facebook',
    query: new URLSearchParams(),
    headers: signature === undefined ? {} : { 'x-hub-signature-256': signature },
    rawBody: Buffer.from(body),
    params: {},
    ip: '127.0.0.1',
    publicUrl: '',
  }) as HttpRequest;

describe('Meta webhook signature and subscription', () => {
  const body = '{"object":"page","entry":[]}';

  it('accepts the HMAC of the exact bytes', () => {
    expect(() => verifySignature(request(body, sign(body)), APP_SECRET)).not.toThrow();
  });

  it('refuses a missing signature with 401 and a wrong or re-serialised one with 403', () => {
    expect(() => verifySignature(request(body), APP_SECRET)).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => verifySignature(request(body, sign(body, 'other')), APP_SECRET)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    const spaced = '{"object": "page", "entry": []}';
    expect(() => verifySignature(request(spaced, sign(body)), APP_SECRET)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => verifySignature(request(body, 'md5=abc'), APP_SECRET)).toThrow(/sha256=/);
  });

  it('echoes the challenge only for the right verify token', () => {
    const q = (token: string) =>
      new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': '42' });
    expect(subscriptionChallenge(q('tok'), 'tok')).toBe('42');
    expect(() => subscriptionChallenge(q('nope'), 'tok')).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => subscriptionChallenge(new URLSearchParams(), 'tok')).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('parseWebhook', () => {
  it('returns every event of a batch of entries, oldest first', () => {
    const events = parseWebhook(
      messengerPayload([
        { psid: '11', mid: 'm.3', text: 'third', timestamp: 3000 },
        { psid: '12', mid: 'm.1', text: 'first', timestamp: 1000 },
        { psid: '11', mid: 'm.2', text: 'second', timestamp: 2000 },
      ]),
      'page',
    );
    expect(events.map((e) => (e.type === 'dm' ? e.text : e.type))).toEqual(['first', 'second', 'third']);
    expect(events[0]).toMatchObject({ type: 'dm', ours: PAGE_ID, user: '12', mid: 'm.1', timestamp: 1000 });
  });

  it('ignores echoes of our own messages', () => {
    const events = parseWebhook(messengerPayload([{ psid: '11', mid: 'm.1', timestamp: 1, echo: true }]), 'page');
    expect(events).toEqual([{ type: 'ignored', reason: 'echo of our own message', timestamp: 1 }]);
  });

  it('reads Page comments, threads replies under their top-level comment, ignores the Page’s own', () => {
    const top = parseWebhook(
      feedCommentPayload({ comment: 'p_c1', from: '77', text: 'Stale bread!', created: 1_700_000_000 }),
      'page',
    );
    expect(top[0]).toMatchObject({
      type: 'comment',
      comment: 'p_c1',
      root: 'p_c1',
      from: { id: '77' },
      timestamp: 1_700_000_000_000,
    });
    const reply = parseWebhook(
      feedCommentPayload({ comment: 'p_c2', parent: 'p_c1', from: '77', text: 'Still', created: 1 }),
      'page',
    );
    expect(reply[0]).toMatchObject({ type: 'comment', comment: 'p_c2', root: 'p_c1' });
    const own = parseWebhook(
      feedCommentPayload({ comment: 'p_c3', from: PAGE_ID, text: 'Thanks!', created: 1 }),
      'page',
    );
    expect(own[0]).toMatchObject({ type: 'ignored', reason: "the Page's own comment" });
    const edited = parseWebhook(
      feedCommentPayload({ comment: 'p_c4', from: '77', text: 'x', created: 1, verb: 'edited' }),
      'page',
    );
    expect(edited[0]?.type).toBe('ignored');
  });

  it('reads Instagram comments and ignores the account’s own', () => {
    const [c] = parseWebhook(
      igCommentPayload({ id: '179', from: '88', text: 'Love it', time: 1_700_000_000 }),
      'instagram',
    );
    expect(c).toMatchObject({
      type: 'comment',
      comment: '179',
      root: '179',
      post: 'media1',
      from: { id: '88', name: 'cora' },
    });
    const [own] = parseWebhook(igCommentPayload({ id: '180', from: IG_ID, text: 'Thanks', time: 1 }), 'instagram');
    expect(own?.type).toBe('ignored');
  });

  it('keeps the batch when one event is unreadable', () => {
    const payload = messengerPayload([{ psid: '11', mid: 'm.1', timestamp: 5000 }]);
    payload.entry.push({ id: PAGE_ID, time: 4, messaging: [{ nonsense: true } as never] });
    const events = parseWebhook(payload, 'page');
    expect(events.map((e) => e.type)).toEqual(['unreadable', 'dm']);
    expect(events[0]).toMatchObject({ reason: 'unreadable messaging event', raw: { nonsense: true } });
  });

  it('refuses what is not a Meta webhook, or the wrong object, with a reason', () => {
    expect(() => parseWebhook({ hello: 1 }, 'page')).toThrow(/not a Meta webhook/);
    expect(() => parseWebhook({ object: 'instagram', entry: [] }, 'page')).toThrow(/takes object "page"/);
  });
});
