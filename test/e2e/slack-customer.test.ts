import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { slackSettings } from '../../adapters/slack/settings.ts';
import { type App, startApp } from '../../src/app.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { silentLogger } from '../../src/log.ts';
import { AGENT, DESK, SECRET, TOKEN } from '../adapters/slack/support/desk-app.ts';
import { nextTs, type SlackSender, slackSender } from '../adapters/slack/support/slack-requests.ts';
import { FakeSlackApi } from '../fakes/slack-api.ts';
import { shiftedClock } from '../support/shifted-clock.ts';

const LOBBY = 'CLOBBY001';
const CUSTOMER = 'UCUST0001';
const COMPLAINT = 'Your cake was stale and I want a refund, call me on 07700 900123';
const PERSONAL = [/07700\s?900123/, /\b\d{5,}\b/, /@/, /\bHSB-?\d+/i];

/**
 * Slack as a customer channel, on the example business: a message in a public channel and a
 * mention are answered in a thread under them; a complaint there gets one public reply without
 * personal data and the conversation moves to a DM the bot opens with `conversations.open`.
 */
describe('Slack customers in public channels', () => {
  let slack: FakeSlackApi;
  let send: SlackSender;
  let app: App;
  let dir: string;
  // A Tuesday at 10:00 in London: the bakery is open, so the after-hours triage stays out of it.
  const clock = shiftedClock(new Date('2026-11-24T10:00:00Z'));

  beforeAll(async () => {
    slack = await FakeSlackApi.start({ token: TOKEN, intervalMs: 20, channels: [DESK, LOBBY] });
    dir = await mkdtemp(join(tmpdir(), 'tp-slack-customer-'));
    const example = loadConfig({ configDir: 'config', flowsDir: 'flows', adapters, env: {} });
    const settings = slackSettings.parse({
      botToken: TOKEN,
      signingSecret: SECRET,
      apiBaseUrl: slack.apiUrl,
      customers: { enabled: true, publicChannels: true },
      desk: { defaultChannel: DESK, agents: [{ slackUser: AGENT, agent: 'maya', name: 'Maya' }] },
    });
    app = await startApp({
      settings: { ...example, channels: { slack: { enabled: true, rateLimit: { minTimeMs: 20 }, settings } } },
      adapters,
      dataDir: dir,
      databaseUrl: null,
      port: 0,
      log: silentLogger,
      clock,
    });
    send = slackSender(`${app.url}/slack/events`, SECRET, { slack });
  }, 30_000);

  afterAll(async () => {
    await app?.stop();
    await slack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const customerPosts = () => slack.posts.filter((p) => p.channel !== DESK);

  it('answers a question in a public channel in a thread under it', async () => {
    const ts = nextTs();
    const event = {
      type: 'message',
      channel: LOBBY,
      channel_type: 'channel',
      user: CUSTOMER,
      text: 'What are your opening hours?',
      ts,
    };
    expect((await send.event(event)).status).toBe(200);
    await app.drain();
    const reply = await slack.until(() => customerPosts().find((p) => p.channel === LOBBY && p.threadTs === ts));
    expect(reply.text.length).toBeGreaterThan(0);
    const [conversation] = await app.store.listConversations({});
    expect(conversation?.touchpoint).toEqual({ channel: 'slack', kind: 'slack.channel', visibility: 'public' });
  });

  it('answers a mention in a thread under it, as a public conversation of its own kind', async () => {
    const ts = nextTs();
    const event = {
      type: 'app_mention',
      channel: LOBBY,
      user: 'UCUST0002',
      text: '<@UBOT0001> do you make gluten-free cakes?',
      ts,
    };
    expect((await send.event(event)).status).toBe(200);
    await app.drain();
    await slack.until(() => customerPosts().find((p) => p.channel === LOBBY && p.threadTs === ts));
    const conversations = await app.store.listConversations({});
    expect(conversations.map((c) => c.touchpoint.kind)).toContain('slack.mention');
  });

  it('moves a complaint to a DM it opens, with one public reply that carries no personal data', async () => {
    const ts = nextTs();
    const event = { type: 'message', channel: LOBBY, channel_type: 'channel', user: CUSTOMER, text: COMPLAINT, ts };
    expect((await send.event(event)).status).toBe(200);
    await app.drain();
    const dm = await slack.until(() => customerPosts().find((p) => p.channel.startsWith('D')));
    expect(slack.callsOf('conversations.open').map((c) => c.params.users)).toContain(CUSTOMER);
    await app.drain();
    const inPublic = customerPosts().filter((p) => p.channel === LOBBY && p.threadTs === ts);
    expect(inPublic).toHaveLength(1);
    for (const pattern of PERSONAL) expect(inPublic[0]?.text).not.toMatch(pattern);
    expect(dm.threadTs).toBeNull();

    const conversations = await app.store.listConversations({});
    const moved = conversations.find((c) => c.tags.includes('moved-to-private'));
    const priv = conversations.find((c) => c.touchpoint.kind === 'slack.dm');
    expect(moved?.links).toContainEqual({ rel: 'moved-to', conversationId: priv?.id });
    expect(priv?.contactId).toBe(moved?.contactId);
    expect(priv?.priority).toBe('high');
  });
});
