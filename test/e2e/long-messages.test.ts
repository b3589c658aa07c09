import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facebookDefinition } from '../../adapters/meta/definition.ts';
import { slackDefinition } from '../../adapters/slack/definition.ts';
import { webchatDefinition } from '../../adapters/webchat/definition.ts';
import { ANALYSED_CHARS } from '../../src/text/analysed.ts';
import {
  ACCESS_TOKEN,
  APP_SECRET,
  messengerPayload,
  PAGE_ID,
  postSigned,
  VERIFY_TOKEN,
} from '../adapters/meta/support.ts';
import { SECRET, TOKEN, webchatHistory } from '../adapters/slack/support/desk-app.ts';
import { slackSender } from '../adapters/slack/support/slack-requests.ts';
import { FakeGraphApi } from '../fakes/graph-api.ts';
import { FakeSlackApi } from '../fakes/slack-api.ts';
import { type LocalApp, startLocalApp } from '../support/local-app.ts';
import { testSettings } from '../support/settings.ts';

/**
 * Long messages through the whole router: stored whole up to the channel's
 * limit and decided on their first characters; past a provider's own
 * maximum, kept unread (the rest of the batch goes on); past the web
 * chat's configured limit, refused with a 413 that says why.
 */
const MB = 1_000_000;
let local: LocalApp;
let graph: FakeGraphApi;
let slackApi: FakeSlackApi;

beforeAll(async () => {
  graph = await FakeGraphApi.start({ accessToken: ACCESS_TOKEN, pages: [PAGE_ID] });
  const facebook = facebookDefinition.settings.parse({
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    accessToken: ACCESS_TOKEN,
    pageId: PAGE_ID,
    apiBaseUrl: graph.url,
  });
  const webchat = webchatDefinition.settings.parse({ maxMessageLength: MB });
  slackApi = await FakeSlackApi.start({ token: TOKEN });
  const slack = slackDefinition.settings.parse({
    botToken: TOKEN,
    signingSecret: SECRET,
    apiBaseUrl: slackApi.apiUrl,
    customers: { enabled: true },
  });
  local = await startLocalApp('tp-long-', {
    settings: testSettings({
      channels: {
        facebook: { enabled: true, settings: facebook },
        webchat: { enabled: true, settings: webchat },
        slack: { enabled: true, settings: slack },
      },
    }),
    adapters: { facebook: facebookDefinition, webchat: webchatDefinition, slack: slackDefinition },
  });
});
afterAll(async () => {
  await local?.stop();
  await graph?.close();
  await slackApi?.stop();
});

async function chat(text: string): Promise<{ status: number; reason?: string; token: string }> {
  const { token } = (await (await fetch(`${local.app.url}/webchat/session`, { method: 'POST' })).json()) as {
    token: string;
  };
  const res = await fetch(`${local.app.url}/webchat/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-visitor-token': token },
    body: JSON.stringify({ text, clientId: 'c1' }),
  });
  const body = (await res.json()) as { reason?: string };
  return { status: res.status, token, ...(body.reason ? { reason: body.reason } : {}) };
}

describe('long messages', () => {
  it('a 1 MB web chat message (the limit set to 1 MB) is stored whole and answered from its first lines', async () => {
    const text = `how much is a loaf? ${'and some more words '.repeat(MB / 20)}`.slice(0, MB - 1).concat('.');
    expect(text.length).toBe(MB);
    const sent = await chat(text);
    expect(sent.status).toBe(202);
    await local.app.drain();
    const seen = await webchatHistory(local.app.url, sent.token);
    expect(seen).toEqual([text, 'A loaf is £4.']);
    expect(text.length).toBeGreaterThan(ANALYSED_CHARS);
  });

  it('one character over the web chat’s limit is refused with 413 and the reason, and nothing is stored', async () => {
    const before = (await local.app.store.listConversations({})).length;
    const refused = await chat('x'.repeat(MB + 1));
    expect(refused).toMatchObject({
      status: 413,
      reason: expect.stringMatching(/1,000,001 characters, over the 1000000/),
    });
    expect((await local.app.store.listConversations({})).length).toBe(before);
  });

  it('a Messenger text over what Messenger delivers is kept unread, and the rest of its batch is answered', async () => {
    const now = Date.now();
    const payload = messengerPayload([
      { psid: '7001', mid: 'm.long', text: 'y'.repeat(20_001), timestamp: now },
      { psid: '7002', mid: 'm.short', text: 'how much?', timestamp: now },
    ]);
    graph.delivered(payload);
    const res = await postSigned(`${local.app.url}/meta/facebook`, payload);
    expect(res.status).toBe(200);
    await local.app.drain();
    const [kept, ...more] = await local.app.store.listUnreadable();
    expect(more).toEqual([]);
    expect(kept?.reason).toMatch(/20,001 characters is longer than the 20,000 facebook delivers/);
    expect(kept?.payload).toContain('y'.repeat(20_001));
    const convs = await local.app.store.listConversations({});
    expect(convs.map((c) => c.threadKey)).toContain(`dm:${PAGE_ID}:7002`);
    expect(convs.map((c) => c.threadKey)).not.toContain(`dm:${PAGE_ID}:7001`);
  });

  it('a Slack body larger than any Slack event is refused with 413 before it is read; a text over 40,000 characters is kept', async () => {
    const send = slackSender(`${local.app.url}/slack/events`, SECRET);
    const event = (text: string, n: number) => ({
      type: 'message',
      channel: 'CPUBLIC01',
      channel_type: 'channel',
      user: 'UCUST0001',
      text,
      ts: `${Math.floor(Date.now() / 1000)}.00000${n}`,
    });
    const huge = await send.event(event('z'.repeat(MB), 1));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { reason: string }).reason).toMatch(/larger than the 524288 bytes/);
    const before = (await local.app.store.listUnreadable()).length;
    expect((await send.event(event('w'.repeat(40_001), 2))).status).toBe(200);
    const kept = await local.app.store.listUnreadable();
    expect(kept.length).toBe(before + 1);
    expect(kept[0]?.reason).toMatch(/40,001 characters is longer than the 40,000 slack delivers/);
  });
});
