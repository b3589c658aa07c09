import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGraphApi } from './graph-api.ts';

/** The fake Graph API refuses what Graph refuses, in Graph's error shape. */
const TOKEN = 'page-token';
const PAGE = '1000001';
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 9);
let now = T0;
let graph: FakeGraphApi;

beforeAll(async () => {
  graph = await FakeGraphApi.start({ accessToken: TOKEN, pages: [PAGE], now: () => now });
});
afterAll(() => graph.close());

async function send(target: string, body: Record<string, unknown>) {
  const res = await fetch(`${graph.url}/v21.0/${target}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { error?: { code: number; error_subcode?: number }; message_id?: string };
  return json.error ? { status: res.status, code: json.error.code, subcode: json.error.error_subcode } : 'sent';
}

const dm = (to: string, extra: Record<string, unknown> = { messaging_type: 'RESPONSE' }) => ({
  recipient: { id: to },
  message: { text: 'hello' },
  ...extra,
});
const outsideWindow = { status: 400, code: 10, subcode: 2018278 };

describe('fake Graph API refusals', () => {
  it('sends only as a Page the token belongs to', async () => {
    graph.personWrote(PAGE, '501', now);
    expect(await send('2000002', dm('501'))).toEqual({ status: 400, code: 100, subcode: 33 });
    expect(await send(PAGE, dm('501'))).toBe('sent');
  });

  it('requires messaging_type, and a known tag with MESSAGE_TAG', async () => {
    graph.personWrote(PAGE, '502', now);
    expect(await send(PAGE, dm('502', {}))).toEqual({ status: 400, code: 100, subcode: undefined });
    expect(await send(PAGE, dm('502', { messaging_type: 'RESPONSIVE' }))).toMatchObject({ code: 100 });
    expect(await send(PAGE, dm('502', { messaging_type: 'MESSAGE_TAG' }))).toMatchObject({ code: 100 });
    expect(await send(PAGE, dm('502', { messaging_type: 'MESSAGE_TAG', tag: 'PAYMENT' }))).toMatchObject({
      code: 100,
    });
    expect(await send(PAGE, dm('502', { messaging_type: 'UPDATE' }))).toBe('sent');
  });

  it('messages a person only within 24 h of their last message, or 7 days tagged HUMAN_AGENT', async () => {
    const humanAgent = { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
    expect(await send(PAGE, dm('503'))).toEqual(outsideWindow);
    graph.personWrote(PAGE, '503', now);
    now += 24 * HOUR;
    expect(await send(PAGE, dm('503'))).toBe('sent');
    now += 1;
    expect(await send(PAGE, dm('503'))).toEqual(outsideWindow);
    expect(await send(PAGE, dm('503', humanAgent))).toBe('sent');
    now = T0 + 7 * 24 * HOUR + 1;
    expect(await send(PAGE, dm('503', humanAgent))).toEqual(outsideWindow);
    // Writing again opens the window again; what the page itself sent (echoes) does not.
    graph.delivered({
      object: 'page',
      entry: [
        {
          id: PAGE,
          messaging: [{ sender: { id: PAGE }, recipient: { id: '503' }, timestamp: now, message: { is_echo: true } }],
        },
      ],
    });
    expect(await send(PAGE, dm('503'))).toEqual(outsideWindow);
    graph.delivered({
      object: 'page',
      entry: [
        { id: PAGE, messaging: [{ sender: { id: '503' }, recipient: { id: PAGE }, timestamp: now, message: {} }] },
      ],
    });
    expect(await send(PAGE, dm('503'))).toBe('sent');
    now = T0;
  });

  it('gives a comment one private reply, within 7 days of it when it knows the comment', async () => {
    graph.delivered({
      object: 'page',
      entry: [
        { id: PAGE, time: now, changes: [{ field: 'feed', value: { comment_id: 'c1', created_time: now / 1000 } }] },
      ],
    });
    const privateReply = { recipient: { comment_id: 'c1' }, message: { text: 'hi' }, messaging_type: 'RESPONSE' };
    now += 7 * 24 * HOUR + 1;
    expect(await send(PAGE, privateReply)).toMatchObject({ status: 400, code: 10903 });
    now = T0;
    expect(await send(PAGE, privateReply)).toBe('sent');
    expect(await send(PAGE, privateReply)).toMatchObject({ status: 400, code: 10900 });
  });
});

describe('fake Graph API reads, in Graph’s shapes', () => {
  const get = async (path: string) => {
    const res = await fetch(path.startsWith('http') ? path : `${graph.url}/v21.0/${path}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    // biome-ignore lint/suspicious/noExplicitAny: Graph's answers, read field by field
    return (await res.json()) as Record<string, any>;
  };

  it('lists a person’s conversation and its messages newest first, in pages with cursors and a next link', async () => {
    graph.personWrote(PAGE, '601', now);
    graph.delivered({
      object: 'page',
      entry: [
        {
          id: PAGE,
          messaging: [
            { sender: { id: '601' }, recipient: { id: PAGE }, timestamp: now, message: { mid: 'm.1', text: 'hi' } },
          ],
        },
      ],
    });
    now += 1000;
    expect(await send(PAGE, { ...dm('601'), message: { text: 'Hello back' } })).toBe('sent');
    const q = 'platform=messenger&user_id=601&fields=messages.limit(1){message,created_time,from}';
    const list = await get(`${PAGE}/conversations?${q}`);
    expect(list.data).toHaveLength(1);
    const messages = list.data[0].messages;
    expect(messages.data).toEqual([
      {
        id: expect.stringMatching(/^m_/),
        message: 'Hello back',
        created_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/),
        from: { name: expect.any(String), id: PAGE },
      },
    ]);
    expect(messages.paging.cursors).toEqual({ before: expect.any(String), after: expect.any(String) });
    const older = await get(messages.paging.next);
    expect(older.data.map((m: { message: string; from: { id: string } }) => [m.message, m.from.id])).toEqual([
      ['hi', '601'],
    ]);
    expect(older.paging.next).toBeUndefined();
    // Instagram's platform on a Page, or a Page the token is not for: refused as Graph does.
    expect((await get(`${PAGE}/conversations?platform=instagram`)).error).toMatchObject({ code: 100 });
    expect((await get('2000002/conversations')).error).toMatchObject({ code: 100, error_subcode: 33 });
    now = T0;
  });

  it('says whether a comment can still take a private reply', async () => {
    graph.delivered({
      object: 'page',
      entry: [
        { id: PAGE, time: now, changes: [{ field: 'feed', value: { comment_id: 'c7', created_time: now / 1000 } }] },
      ],
    });
    expect(await get('c7?fields=can_reply_privately')).toEqual({ id: 'c7', can_reply_privately: true });
    await send(PAGE, { recipient: { comment_id: 'c7' }, message: { text: 'hi' }, messaging_type: 'RESPONSE' });
    expect(await get('c7?fields=can_reply_privately')).toEqual({ id: 'c7', can_reply_privately: false });
    expect((await get('c404?fields=can_reply_privately')).error).toMatchObject({ code: 100 });
  });
});
