import { afterEach, describe, expect, it } from 'vitest';
import { webchatDefinition } from '../../../adapters/webchat/definition.ts';
import { webchatSettings } from '../../../adapters/webchat/settings.ts';
import { threadKeyOf } from '../../../adapters/webchat/thread.ts';
import { SendError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/log.ts';
import type { OutboundMessage } from '../../../src/model/types.ts';
import { startWebchat, type Webchat } from './setup.ts';
import { SseClient } from './sse-client.ts';

let w: Webchat;
const clients: SseClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await w.stop();
});

async function listen(query: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const c = await SseClient.open(`${w.url}/webchat/events?${query}`, headers);
  clients.push(c);
  return c;
}

function outbound(visitorId: string, text: string, messageId = `m-${text}`): OutboundMessage {
  return {
    id: `job-${messageId}`,
    messageId,
    conversationId: 'conv1',
    channel: 'webchat',
    touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
    threadKey: threadKeyOf(visitorId),
    destination: visitorId,
    text,
    replyRef: { visitorId },
    lastInboundAt: null,
    references: [],
    author: { kind: 'agent', name: 'Sam' },
    automatic: false,
    attempt: 1,
  };
}

/** Waits (bounded) until the server has noticed the stream went away. */
async function untilDisconnected(visitorId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await w.adapter.send(outbound(visitorId, 'probe', `probe-${i}`));
    if (r.status === 'sent') return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('the stream was never cleaned up');
}

describe('live events', () => {
  it('pushes messages the core records for this visitor only, with ids for resuming', async () => {
    w = await startWebchat();
    const a = await w.session();
    const b = await w.session();
    const stream = await listen(`token=${encodeURIComponent(a.token)}`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await stream.next()).toEqual({ retry: '3000' });

    w.host.record(threadKeyOf(b.visitorId), { text: 'not for a' });
    const m = w.host.record(threadKeyOf(a.visitorId), { text: 'for a' });
    const frame = await stream.next();
    expect(frame?.id).toBe(m.id);
    expect(JSON.parse(frame?.data ?? '')).toMatchObject({ id: m.id, from: 'bot', text: 'for a' });
  });

  it('delivers sends to connected pages, and reports sent when none is connected', async () => {
    w = await startWebchat();
    const { visitorId, token } = await w.session();
    expect(await w.adapter.send(outbound(visitorId, 'nobody home'))).toEqual({
      providerId: 'm-nobody home',
      status: 'sent',
    });
    const tab1 = await listen(`token=${encodeURIComponent(token)}`);
    const tab2 = await listen('', { 'x-visitor-token': token });
    await tab1.next();
    await tab2.next();
    expect(await w.adapter.send(outbound(visitorId, 'hello there'))).toEqual({
      providerId: 'm-hello there',
      status: 'delivered',
    });
    for (const tab of [tab1, tab2]) {
      expect(await tab.nextData()).toMatchObject({
        id: 'm-hello there',
        from: 'agent',
        name: 'Sam',
        text: 'hello there',
      });
    }
    tab1.close();
    tab2.close();
    await untilDisconnected(visitorId);
  });

  it('replays what a reconnecting page missed, from Last-Event-ID or ?after', async () => {
    w = await startWebchat();
    const { visitorId, token } = await w.session();
    const key = threadKeyOf(visitorId);
    const first = w.host.record(key, { text: 'one' });
    w.host.record(key, { text: 'two' });
    w.host.record(key, { text: 'three' });
    const resumed = await listen(`token=${encodeURIComponent(token)}`, { 'last-event-id': first.id });
    expect((await resumed.nextData())?.text).toBe('two');
    expect((await resumed.nextData())?.text).toBe('three');
    const viaQuery = await listen(`token=${encodeURIComponent(token)}&after=${first.id}`);
    expect((await viaQuery.nextData())?.text).toBe('two');
  });

  it('keeps idle streams open with comments', async () => {
    w = await startWebchat();
    const { token } = await w.session();
    const stream = await listen(`token=${encodeURIComponent(token)}`);
    await stream.next();
    w.clock.advance(25_000);
    expect(await stream.next()).toEqual({ comment: 'ping' });
    w.clock.advance(25_000);
    expect(await stream.next()).toEqual({ comment: 'ping' });
  });

  it('refuses a stream without a valid token', async () => {
    w = await startWebchat();
    const res = await fetch(`${w.url}/webchat/events?token=forged`);
    expect(res.status).toBe(401);
    expect((await fetch(`${w.url}/webchat/events`)).status).toBe(401);
  });

  it('ends streams and stops listening when stopped', async () => {
    w = await startWebchat();
    const { token } = await w.session();
    const stream = await listen(`token=${encodeURIComponent(token)}`);
    await stream.next();
    expect(w.host.listenerCount).toBe(1);
    await w.adapter.stop();
    expect(await stream.next()).toBeNull();
    expect(w.host.listenerCount).toBe(0);
  });
});

describe('web chat adapter', () => {
  it('uses the visitor id as the destination', async () => {
    w = await startWebchat();
    expect(w.adapter.destination('webchat:v_abc', null)).toBe('v_abc');
  });

  it('cannot send before it is started', async () => {
    w = await startWebchat();
    const idle = await webchatDefinition.create(webchatSettings.parse({}), { log: silentLogger, clock: w.clock });
    await expect(idle.send(outbound('v_x', 'hi'))).rejects.toBeInstanceOf(SendError);
  });
});

describe('agent notes', () => {
  it('never reach the browser, live or in the history', async () => {
    w = await startWebchat();
    const { visitorId, token } = await w.session();
    const key = threadKeyOf(visitorId);
    const stream = await listen(`token=${encodeURIComponent(token)}`);
    await stream.next();
    w.host.record(key, {
      text: 'customer seems upset',
      visibility: 'internal',
      author: { kind: 'agent', name: 'Sam' },
    });
    const visible = w.host.record(key, { text: 'Sorry about that!' });
    expect(await stream.nextData()).toMatchObject({ id: visible.id, text: 'Sorry about that!' });
    const history = await (await fetch(`${w.url}/webchat/messages`, { headers: { 'x-visitor-token': token } })).text();
    expect(history).toContain('Sorry about that!');
    expect(history).not.toContain('upset');
  });
});
