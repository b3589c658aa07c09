import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakeSlackApi, TRIGGER_TTL_MS } from './slack-api.ts';

/**
 * The fake Slack Web API refuses what Slack refuses, seen through the real
 * @slack/web-api client: each refusal here is one the adapter could meet.
 */
const TOKEN = 'xoxb-strict';
const CHANNEL = 'CSTRICT01';
const OTHER = 'CSTRICT02';
const T0 = Date.UTC(2026, 0, 5, 9);

let now = T0;
let slack: FakeSlackApi;
let client: InstanceType<typeof webApi.WebClient>;

/** The real client as the adapter configures it (no retries, 429s thrown), without its console logging. */
const clientOf = (apiUrl: string, token = TOKEN) =>
  new webApi.WebClient(token, {
    slackApiUrl: apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logger: {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: () => {},
      setLevel: () => {},
      getLevel: () => webApi.LogLevel.ERROR,
      setName: () => {},
    },
  });

beforeEach(async () => {
  now = T0;
  slack = await FakeSlackApi.start({ token: TOKEN, intervalMs: 0, channels: [CHANNEL, OTHER], now: () => now });
  client = clientOf(slack.apiUrl);
});
afterEach(() => slack.stop());

/** The Slack error code of a failed call, or 'ok'. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (err) {
    const e = err as { code?: string; data?: { error?: string; response_metadata?: { messages?: string[] } } };
    if (e.code === webApi.ErrorCode.RateLimitedError) return 'ratelimited';
    return [e.data?.error, ...(e.data?.response_metadata?.messages ?? [])].join(' ');
  }
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('fake Slack Web API refusals', () => {
  it('posts only to channels that exist, and DMs once conversations.open made them', async () => {
    expect(await outcome(client.chat.postMessage({ channel: 'CNOPE0001', text: 'hi' }))).toBe('channel_not_found');
    const opened = await client.conversations.open({ users: 'UCUST0001' });
    expect(await outcome(client.chat.postMessage({ channel: opened.channel?.id ?? '', text: 'hi' }))).toBe('ok');
    expect(await outcome(client.chat.postEphemeral({ channel: 'CNOPE0001', user: 'U1', text: 'x' }))).toBe(
      'channel_not_found',
    );
  });

  it('opens a DM as Slack does: a D… channel, the same one again (already_open), and only with im:write', async () => {
    const first = await client.conversations.open({ users: 'UCUST0001' });
    expect(first.channel?.id).toMatch(/^D[A-Z0-9]+$/);
    expect(first.already_open).toBeUndefined();
    const again = await client.conversations.open({ users: 'UCUST0001' });
    expect(again).toMatchObject({ no_op: true, already_open: true, channel: { id: first.channel?.id } });
    // the manifest asks for im:write only: a group DM needs mpim:write
    expect(await outcome(client.conversations.open({ users: 'UCUST0001,UCUST0002' }))).toBe('missing_scope');
    expect(await outcome(client.conversations.open({ users: '' }))).toBe('users_list_not_supplied');
    expect(await outcome(client.conversations.open({ users: 'not-a-user' }))).toBe('user_not_found');

    const narrow = await FakeSlackApi.start({ token: 'xoxb-narrow', scopes: ['chat:write', 'mpim:write'] });
    try {
      const refused = clientOf(narrow.apiUrl, 'xoxb-narrow').conversations.open({ users: 'UCUST0001' });
      await expect(refused).rejects.toMatchObject({
        data: { ok: false, error: 'missing_scope', needed: 'im:write', provided: 'chat:write,mpim:write' },
      });
      expect(
        await outcome(clientOf(narrow.apiUrl, 'xoxb-narrow').chat.postMessage({ channel: 'DCUST0001', text: 'x' })),
      ).toBe('channel_not_found');
    } finally {
      await narrow.stop();
    }
  });

  it('links a message the bot posted (chat.getPermalink), and no other', async () => {
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'card' });
    const link = await client.chat.getPermalink({ channel: CHANNEL, message_ts: posted.ts ?? '' });
    expect(link.permalink).toBe(`https://fake.slack.test/archives/${CHANNEL}/p${(posted.ts ?? '').replace('.', '')}`);
    expect(await outcome(client.chat.getPermalink({ channel: OTHER, message_ts: posted.ts ?? '' }))).toBe(
      'message_not_found',
    );
    expect(await outcome(client.chat.getPermalink({ channel: 'CNOPE0001', message_ts: posted.ts ?? '' }))).toBe(
      'channel_not_found',
    );
  });

  it('updates only a message the bot posted in that same channel', async () => {
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'card' });
    const ts = posted.ts ?? '';
    expect(await outcome(client.chat.update({ channel: CHANNEL, ts, text: 'card v2' }))).toBe('ok');
    expect(await outcome(client.chat.update({ channel: OTHER, ts, text: 'x' }))).toBe('message_not_found');
    expect(await outcome(client.chat.update({ channel: CHANNEL, ts: '1767600000.000999', text: 'x' }))).toBe(
      'message_not_found',
    );
    expect(await outcome(client.chat.update({ channel: 'CNOPE0001', ts, text: 'x' }))).toBe('channel_not_found');
  });

  it('opens a view only with a trigger_id it issued less than 3 s ago, and only once', async () => {
    const view = {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Note' },
      blocks: [section('hello')],
    };
    expect(await outcome(client.views.open({ trigger_id: 'trigger-made-up', view }))).toBe('invalid_trigger_id');
    const fresh = slack.issueTrigger();
    now += TRIGGER_TTL_MS;
    expect(await outcome(client.views.open({ trigger_id: fresh, view }))).toBe('ok');
    expect(await outcome(client.views.open({ trigger_id: fresh, view }))).toBe('invalid_trigger_id');
    const stale = slack.issueTrigger();
    now += TRIGGER_TTL_MS + 1;
    expect(await outcome(client.views.open({ trigger_id: stale, view }))).toBe('expired_trigger_id');
  });

  it('refuses views Slack would not draw: a title over 24 characters, inputs without a submit button', async () => {
    const long = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'x'.repeat(25) }, blocks: [] };
    expect(await outcome(client.views.open({ trigger_id: slack.issueTrigger(), view: long }))).toBe(
      'invalid_arguments [ERROR] must be less than 25 characters [json-pointer:/view/title/text]',
    );
    const input = {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Note' },
      blocks: [
        {
          type: 'input',
          label: { type: 'plain_text', text: 'Note' },
          element: { type: 'plain_text_input', action_id: 'a' },
        },
      ],
    };
    expect(await outcome(client.views.open({ trigger_id: slack.issueTrigger(), view: input }))).toBe(
      'invalid_arguments [ERROR] is required when the view has an input block [json-pointer:/view/submit]',
    );
  });

  it('validates Block Kit: block types, text lengths, element limits and at most 50 blocks', async () => {
    const post = (blocks: unknown[]) =>
      outcome(client.chat.postMessage({ channel: CHANNEL, text: 'fallback', blocks: blocks as never }));
    expect(await post([section('fine'), { type: 'divider' }])).toBe('ok');
    expect(await post([{ type: 'banner', text: 'x' }])).toBe(
      'invalid_blocks [ERROR] unknown block type banner [json-pointer:/blocks/0/type]',
    );
    expect(await post([section('x'.repeat(3001))])).toBe(
      'invalid_blocks [ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    );
    expect(await post(Array.from({ length: 51 }, () => ({ type: 'divider' })))).toBe(
      'invalid_blocks [ERROR] must hold at most 50 blocks [json-pointer:/blocks]',
    );
    const button = { type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, action_id: 'x' };
    expect(await post([{ type: 'actions', elements: [button] }])).toBe(
      'invalid_blocks [ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]',
    );
    const fields = Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' }));
    expect(await post([{ type: 'section', fields }])).toBe(
      'invalid_blocks [ERROR] must hold 1 to 10 text objects [json-pointer:/blocks/0/fields]',
    );
    expect(await outcome(client.chat.postMessage({ channel: CHANNEL, text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
    expect(await outcome(client.chat.postMessage({ channel: CHANNEL, text: '' }))).toBe('no_text');
  });

  it('limits chat.update to its tier (50 a minute), then lets calls through once the minute has passed', async () => {
    const ts = (await client.chat.postMessage({ channel: CHANNEL, text: 'card' })).ts ?? '';
    for (let i = 0; i < 50; i++) {
      now += 100;
      expect(await outcome(client.chat.update({ channel: CHANNEL, ts, text: `v${i}` }))).toBe('ok');
    }
    expect(await outcome(client.chat.update({ channel: CHANNEL, ts, text: 'one too many' }))).toBe('ratelimited');
    expect(slack.rateLimited).toBe(1);
    now = T0 + 60_100;
    expect(await outcome(client.chat.update({ channel: CHANNEL, ts, text: 'later' }))).toBe('ok');
  });

  it('opens Socket Mode only with the app-level token, and each URL only once', async () => {
    expect(await outcome(client.apiCall('apps.connections.open'))).toBe('not_allowed_token_type');
    const app = clientOf(slack.apiUrl, 'xapp-1-A0000001-1-fake');
    const { url } = (await app.apiCall('apps.connections.open')) as unknown as { url: string };
    expect(await outcome(app.chat.postMessage({ channel: CHANNEL, text: 'x' }))).toBe('not_allowed_token_type');
    const closeOf = (socket: WebSocket) =>
      new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    const first = new WebSocket(url);
    const hello = await new Promise<{ type?: string }>((resolve) =>
      first.once('message', (m) => resolve(JSON.parse(String(m)) as { type?: string })),
    );
    expect(hello.type).toBe('hello');
    expect(await closeOf(new WebSocket(url))).toBe(1008);
    first.close();
  });

  it('limits chat.postMessage to one a second per channel, each channel apart', async () => {
    const strict = await FakeSlackApi.start({ token: TOKEN, channels: [CHANNEL, OTHER], now: () => now });
    const c = clientOf(strict.apiUrl);
    try {
      expect(await outcome(c.chat.postMessage({ channel: CHANNEL, text: 'a' }))).toBe('ok');
      expect(await outcome(c.chat.postMessage({ channel: OTHER, text: 'b' }))).toBe('ok');
      expect(await outcome(c.chat.postMessage({ channel: CHANNEL, text: 'c' }))).toBe('ratelimited');
      now += 1_000;
      expect(await outcome(c.chat.postMessage({ channel: CHANNEL, text: 'c' }))).toBe('ok');
    } finally {
      await strict.stop();
    }
  });
});
