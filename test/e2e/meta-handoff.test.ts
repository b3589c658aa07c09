import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facebookDefinition } from '../../adapters/meta/definition.ts';
import { adapters } from '../../adapters/registry.ts';
import { slackSettings } from '../../adapters/slack/settings.ts';
import { type App, startApp } from '../../src/app.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { silentLogger } from '../../src/log.ts';
import type { Conversation } from '../../src/model/types.ts';
import {
  ACCESS_TOKEN,
  APP_SECRET,
  feedCommentPayload,
  messengerPayload,
  PAGE_ID,
  postSigned,
  VERIFY_TOKEN,
} from '../adapters/meta/support.ts';
import { AGENT, DESK, SECRET, TOKEN } from '../adapters/slack/support/desk-app.ts';
import { nextTs, type SlackSender, slackSender } from '../adapters/slack/support/slack-requests.ts';
import { FakeGraphApi, type RecordedSend } from '../fakes/graph-api.ts';
import { FakeSlackApi, type SlackPost } from '../fakes/slack-api.ts';
import { shiftedClock } from '../support/shifted-clock.ts';

const COMMENT = '555001_777001';
const COMMENTER = '7001';
const PSID = '9001';
const COMPLAINT = 'Your cake was stale and I want a refund, call me on 07700 900123';
const PERSONAL = [/07700\s?900123/, /\b\d{5,}\b/, /@/, /\bHSB-?\d+/i];

/**
 * The public-to-private handoff end to end, on the example business: a
 * complaint comment on the Page gets one public reply without personal data
 * and one private reply; the conversation continues privately, linked both
 * ways, with a desk thread in Slack from which an agent answers the customer.
 */
describe('Facebook comment handoff to a private conversation and the Slack desk', () => {
  let graph: FakeGraphApi;
  let slack: FakeSlackApi;
  let slackSend: SlackSender;
  let app: App;
  let dir: string;
  // A Tuesday at 10:00 in London: the bakery is open, so the after-hours triage stays out of it.
  const clock = shiftedClock(new Date('2026-11-24T10:00:00Z'));
  const comment = feedCommentPayload({
    comment: COMMENT,
    from: COMMENTER,
    name: 'Cora Customer',
    text: COMPLAINT,
    created: Math.floor(clock.now() / 1000),
  });
  let pub: Conversation;
  let priv: Conversation;

  const webhook = () => `${app.url}/meta/facebook`;
  const publicReplies = () => graph.sends.filter((s) => s.kind === 'comment-reply');
  const privateReplies = () => graph.sends.filter((s) => s.kind === 'private-reply');
  const deskHeader = (conversationId: string) =>
    slack.posts.find(
      (p: SlackPost) =>
        p.channel === DESK && p.threadTs === null && JSON.stringify(p.blocks ?? []).includes(conversationId),
    );

  beforeAll(async () => {
    graph = await FakeGraphApi.start({ accessToken: ACCESS_TOKEN, pages: [PAGE_ID], now: () => clock.now() });
    graph.setCommenter(COMMENT, PSID);
    slack = await FakeSlackApi.start({ token: TOKEN, intervalMs: 50, channels: [DESK] });
    slackSend = slackSender('', SECRET, { slack });
    dir = await mkdtemp(join(tmpdir(), 'tp-meta-handoff-'));
    const example = loadConfig({ configDir: 'config', flowsDir: 'flows', adapters, env: {} });
    const facebook = facebookDefinition.settings.parse({
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      accessToken: ACCESS_TOKEN,
      pageId: PAGE_ID,
      apiBaseUrl: graph.url,
    });
    const slackBlock = slackSettings.parse({
      botToken: TOKEN,
      signingSecret: SECRET,
      apiBaseUrl: slack.apiUrl,
      desk: { defaultChannel: DESK, agents: [{ slackUser: AGENT, agent: 'maya', name: 'Maya' }] },
    });
    app = await startApp({
      settings: {
        ...example,
        channels: {
          facebook: { enabled: true, settings: facebook },
          slack: { enabled: true, rateLimit: { minTimeMs: 50 }, settings: slackBlock },
        },
      },
      adapters,
      dataDir: dir,
      databaseUrl: null,
      port: 0,
      log: silentLogger,
      clock,
    });
    slackSend = slackSender(`${app.url}/slack/events`, SECRET, { slack });

    graph.delivered(comment);
    expect(await postSigned(webhook(), comment)).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    // the move runs as a timer due at once: its two replies are sent after the routing pass
    await sentUntil(graph, (sends) => sends.length >= 2);
    await app.drain();
    const conversations = await app.store.listConversations({});
    pub = conversations.find((c) => c.touchpoint.visibility === 'public') as Conversation;
    priv = conversations.find((c) => c.touchpoint.visibility === 'private') as Conversation;
  }, 30_000);

  afterAll(async () => {
    await app?.stop();
    await graph?.close();
    await slack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers the comment once in public, without personal data, and once privately', () => {
    const replies = publicReplies();
    expect(replies).toHaveLength(1);
    expect(replies[0]?.target).toBe(COMMENT);
    for (const pattern of PERSONAL) expect(replies[0]?.text).not.toMatch(pattern);
    expect(replies[0]?.text).toContain('private message');

    const privately = privateReplies();
    expect(privately).toHaveLength(1);
    expect(privately[0]?.body.recipient).toEqual({ comment_id: COMMENT });
    expect(privately[0]?.target).toBe(PAGE_ID);
    expect(privately[0]?.text).toContain('following up on your comment');
    expect(graph.sends.filter((s) => s.kind === 'dm')).toHaveLength(0);
  });

  it('marks the public conversation moved and links it both ways to a private one carrying the triage', () => {
    expect(pub.touchpoint).toEqual({ channel: 'facebook', kind: 'facebook.comment', visibility: 'public' });
    expect(priv.touchpoint).toEqual({ channel: 'facebook', kind: 'facebook.dm', visibility: 'private' });
    expect(pub.status).toBe('resolved');
    expect(pub.tags).toContain('moved-to-private');
    expect(pub.links).toContainEqual({ rel: 'moved-to', conversationId: priv.id });
    expect(priv.links).toContainEqual({ rel: 'moved-from', conversationId: pub.id });
    expect(priv.tags).toContain('moved-from-public');
    expect(priv.contactId).toBe(pub.contactId);
    expect(priv.intent).toBe('complaint');
    expect(priv.category).toBe(pub.category);
    expect(priv.priority).toBe('high');
    // a complaint goes to a person: the bot stays quiet in the private conversation
    expect(priv.flowState?.handoff).toMatchObject({ reason: expect.stringContaining('complaint') });
  });

  it('opens a desk thread in Slack for the private conversation', async () => {
    const header = await slack.until(() => deskHeader(priv.id));
    expect(JSON.stringify(header.blocks)).toContain('facebook');
    const thread = await slack.until(() => {
      const posts = slack.posts.filter((p) => p.threadTs === header.ts);
      return posts.some((p) => p.text.includes('stale')) ? posts : null;
    });
    // the customer's words reach the agents in the thread: they are not on a public page there
    expect(thread.some((p) => p.text.includes('stale'))).toBe(true);
  });

  it("sends an agent's Slack reply to the customer as a Messenger message once they answer the private reply", async () => {
    const header = await slack.until(() => deskHeader(priv.id));
    const answered = messengerPayload([
      { psid: PSID, mid: 'm.answer.1', text: 'It was the lemon cake from Saturday', timestamp: clock.now() },
    ]);
    graph.delivered(answered);
    expect((await postSigned(webhook(), answered)).status).toBe(200);
    await app.drain();
    const after = await app.store.listConversations({});
    // the answer continues the private conversation: no conversation of its own
    expect(after).toHaveLength(2);
    const inbound = await app.store.listMessages(priv.id, {});
    expect(inbound.map((m) => m.text)).toContain('It was the lemon cake from Saturday');
    await slack.until(() =>
      slack.posts.find((p) => p.threadTs === header.ts && p.text.includes('It was the lemon cake from Saturday')),
    );

    const event = {
      type: 'message',
      channel: DESK,
      channel_type: 'channel',
      user: AGENT,
      text: 'So sorry about that. A refund is on its way.',
      ts: nextTs(),
      thread_ts: header.ts,
    };
    // signed now, as Slack signs: the window is checked against real time, whatever the app's clock
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0000001',
      api_app_id: 'A0000001',
      event_id: 'EvHANDOFF01',
      event_time: Math.floor(clock.now() / 1000),
      event,
    });
    expect((await slackSend.raw(body, 'application/json')).status).toBe(200);
    await app.drain();
    await sentUntil(graph, (sends) => sends.some((s) => s.kind === 'dm'));
    const dms = graph.sends.filter((s) => s.kind === 'dm');
    expect(dms).toHaveLength(1);
    expect(dms[0]).toMatchObject({ target: PAGE_ID, to: PSID, messagingType: 'RESPONSE' });
    expect(dms[0]?.text).toContain('So sorry about that. A refund is on its way.');
    expect(dms[0]?.text).toContain('Maya');
  });

  it('does not reply again, publicly or privately, when Meta redelivers the comment batch', async () => {
    expect((await postSigned(webhook(), comment)).status).toBe(200);
    await app.drain();
    expect(publicReplies()).toHaveLength(1);
    expect(privateReplies()).toHaveLength(1);
    expect(await app.store.listConversations({})).toHaveLength(2);
    // taken as the same comment, so nothing was routed again and no second move can be pending
    const inbound = (await app.store.listMessages(pub.id, {})).filter((m) => m.direction === 'inbound');
    expect(inbound).toHaveLength(1);
    expect(await app.store.countOutbox('dead')).toBe(0);
  });
});

/** Resolves once the fake Graph API's recorded sends satisfy `check` (checked on every send). */
function sentUntil(graph: FakeGraphApi, check: (sends: RecordedSend[]) => boolean, timeoutMs = 15_000): Promise<void> {
  if (check(graph.sends)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      graph.onSend = null;
      reject(new Error(`fake Graph API: condition not met within ${timeoutMs} ms (${graph.sends.length} sends)`));
    }, timeoutMs);
    graph.onSend = () => {
      if (!check(graph.sends)) return;
      clearTimeout(timer);
      graph.onSend = null;
      resolve();
    };
  });
}
