import { afterEach, describe, expect, it } from 'vitest';
import { threadKeyOf } from '../../../adapters/webchat/thread.ts';
import { json, settlesSoon } from '../../server/helpers.ts';
import { startWebchat, type Webchat } from './setup.ts';

let w: Webchat;
afterEach(() => w.stop());

describe('web chat sessions', () => {
  it('issues a visitor id with a signed token that survives a restart', async () => {
    const state = new Map<string, unknown>();
    w = await startWebchat({}, { stateData: state });
    const res = await fetch(`${w.url}/webchat/session`, { method: 'POST' });
    expect(res.status).toBe(201);
    const s = await json(res);
    expect(s.visitorId).toMatch(/^v_[A-Za-z0-9_-]{16}$/);
    expect(s.token.startsWith(`${s.visitorId}.`)).toBe(true);
    await w.stop();

    w = await startWebchat({}, { stateData: state });
    expect((await w.send(s.token, { text: 'still me', clientId: 'c1' })).status).toBe(202);
    expect(w.host.envelopes[0]?.threadKey).toBe(threadKeyOf(s.visitorId));
  });

  it('refuses a token signed by another install or pointing at another visitor', async () => {
    w = await startWebchat();
    const mine = await w.session();
    const theirs = await w.session();
    const elsewhere = await startWebchat();
    const foreign = await elsewhere.session();
    await elsewhere.stop();
    const swapped = `${theirs.visitorId}.${mine.token.split('.')[1]}`;
    for (const token of [foreign.token, swapped, 'garbage', `${mine.token}x`]) {
      const res = await w.send(token, { text: 'hi', clientId: 'c1' });
      expect(res.status).toBe(401);
      expect((await json(res)).reason).toMatch(/not valid/);
    }
    expect(w.host.envelopes).toEqual([]);
  });
});

describe('sending a message', () => {
  it('ingests one envelope and answers 202 only after the core has stored it', async () => {
    w = await startWebchat();
    const { visitorId, token } = await w.session();
    let release = () => {};
    w.host.ingestGate = new Promise<void>((r) => {
      release = r;
    });
    const pending = w.send(token, { text: '  how much is a loaf?  ', clientId: 'abc-1' });
    expect(await settlesSoon(pending)).toBe(false);
    release();
    const res = await pending;
    expect(res.status).toBe(202);
    const body = await json(res);
    expect(body).toEqual({ id: expect.any(String), duplicate: false });
    expect(w.host.envelopes).toEqual([
      {
        channel: 'webchat',
        providerId: `${visitorId}:abc-1`,
        touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
        threadKey: `webchat:${visitorId}`,
        from: { kind: 'webchat', value: visitorId },
        text: 'how much is a loaf?',
        replyRef: { visitorId },
        sentAt: w.clock.now(),
        raw: { text: 'how much is a loaf?', clientId: 'abc-1' },
      },
    ]);
  });

  it('deduplicates a browser retry with the same client id', async () => {
    w = await startWebchat();
    const { token } = await w.session();
    const first = await json(await w.send(token, { text: 'hello', clientId: 'same' }));
    const again = await json(await w.send(token, { text: 'hello', clientId: 'same' }));
    expect(again).toEqual({ id: first.id, duplicate: true });
    expect(w.host.envelopes).toHaveLength(1);
  });

  it('rejects bad input with a reason and stores nothing', async () => {
    w = await startWebchat({ maxMessageLength: 10 });
    const { token } = await w.session();
    const cases: Array<[Promise<Response>, number, RegExp]> = [
      [w.send('', { text: 'hi', clientId: 'c' }), 401, /missing x-visitor-token/],
      [w.send(token, { text: '   ', clientId: 'c' }), 400, /body\.text: must not be empty/],
      [w.send(token, { text: 'x'.repeat(11), clientId: 'c' }), 413, /11 characters, over the 10 this chat takes/],
      [w.send(token, '{"text": "hi"', {}), 400, /not valid JSON/],
      [w.send(token, { text: 'hi', clientId: 'has space' }), 400, /body\.clientId/],
      [w.send(token, { text: 'hi' }), 400, /body\.clientId/],
      [w.send(token, { text: 'hi', clientId: 'c', admin: true }), 400, /admin/],
    ];
    for (const [res, status, reason] of cases) {
      const r = await res;
      expect(r.status).toBe(status);
      expect((await json(r)).reason).toMatch(reason);
    }
    expect(w.host.envelopes).toEqual([]);
  });

  it('limits messages per address and recovers as the window passes', async () => {
    w = await startWebchat({ ipRateLimit: { max: 2, window: '1m' } });
    const { token } = await w.session();
    expect((await w.send(token, { text: 'one', clientId: 'c1' })).status).toBe(202);
    expect((await w.send(token, { text: 'two', clientId: 'c2' })).status).toBe(202);
    const limited = await w.send(token, { text: 'three', clientId: 'c3' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    w.clock.advance(30_000);
    expect((await w.send(token, { text: 'three', clientId: 'c3' })).status).toBe(202);
    expect(w.host.envelopes.map((e) => e.text)).toEqual(['one', 'two', 'three']);
  });
});

describe('history', () => {
  it('returns the visitor’s own thread, paged with after, marking the visitor’s messages', async () => {
    w = await startWebchat();
    const a = await w.session();
    const b = await w.session();
    const mine = w.host.record(threadKeyOf(a.visitorId), {
      text: 'how much?',
      direction: 'inbound',
      author: { kind: 'contact', id: 'ct1', name: 'Ada' },
      providerId: `${a.visitorId}:c1`,
    });
    const reply = w.host.record(threadKeyOf(a.visitorId), { text: 'A loaf is £4.' });
    w.host.record(threadKeyOf(b.visitorId), { text: 'for someone else' });

    const get = (token: string, after = '') =>
      fetch(`${w.url}/webchat/messages${after ? `?after=${after}` : ''}`, { headers: { 'x-visitor-token': token } });
    const all = await json(await get(a.token));
    expect(all).toEqual({
      messages: [
        { id: mine.id, from: 'customer', name: null, text: 'how much?', at: mine.createdAt, clientId: 'c1' },
        { id: reply.id, from: 'bot', name: 'Test Shop', text: 'A loaf is £4.', at: reply.createdAt },
      ],
      more: false,
      // the host this test runs on knows no contact language
      language: null,
    });
    const later = await json(await get(a.token, mine.id));
    expect(later.messages.map((m: { id: string }) => m.id)).toEqual([reply.id]);
    expect((await get('nope')).status).toBe(401);
    expect((await get(a.token, 'bad id!')).status).toBe(400);
  });
});

describe('cross-origin access', () => {
  const origin = 'https://www.bakery.example';

  it('answers preflights and adds CORS headers only for allowed origins', async () => {
    w = await startWebchat({ allowedOrigins: [origin] });
    const ok = await fetch(`${w.url}/webchat/messages`, { method: 'OPTIONS', headers: { origin } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
    expect(ok.headers.get('access-control-allow-headers')).toContain('x-visitor-token');
    const denied = await fetch(`${w.url}/webchat/messages`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(denied.status).toBe(403);
    expect((await json(denied)).reason).toMatch(/allowedOrigins/);
  });

  it('refuses messages from a browser on a site not on the list, and accepts same-origin pages', async () => {
    w = await startWebchat({ allowedOrigins: [origin] });
    const { token } = await w.session();
    const evil = await w.send(token, { text: 'hi', clientId: 'c1' }, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(w.host.envelopes).toEqual([]);
    const listed = await w.send(token, { text: 'hi', clientId: 'c2' }, { origin });
    expect(listed.headers.get('access-control-allow-origin')).toBe(origin);
    const same = await w.send(token, { text: 'hi', clientId: 'c3' }, { origin: w.url });
    expect(same.status).toBe(202);
    expect(w.host.envelopes).toHaveLength(2);
  });
});
