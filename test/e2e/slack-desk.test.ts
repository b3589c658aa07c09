import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../adapters/slack/desk/header.ts';
import { NOTE_INPUT, VIEW } from '../../adapters/slack/desk/modals.ts';
import {
  AGENT,
  DESK,
  type DeskApp,
  STRANGER,
  startDeskApp,
  webchatHistory,
  webchatSays,
} from '../adapters/slack/support/desk-app.ts';
import { blockAction, nextTs, viewSubmission } from '../adapters/slack/support/slack-requests.ts';
import type { SlackPost } from '../fakes/slack-api.ts';

/**
 * The agent desk end to end: a web chat customer asks for a person, the
 * conversation gets a thread in the desk channel (real Bolt and web-api
 * against the fake Slack API), and agents act from Slack.
 */
describe('Slack agent desk', () => {
  let d: DeskApp;
  let token: string;
  let header: SlackPost;
  let conversationId: string;

  const threadPosts = () => d.slack.posts.filter((p) => p.channel === DESK && p.threadTs === header.ts);
  const agentMessages = async () =>
    (await d.app.store.listMessages(conversationId, { includeInternal: true })).filter(
      (m) => m.author.kind === 'agent',
    );

  beforeAll(async () => {
    d = await startDeskApp();
    token = await webchatSays(d.app.url, 'I want to talk to a person please');
    header = await d.slack.until(() =>
      d.slack.posts.find((p) => p.channel === DESK && p.threadTs === null && p.blocks),
    );
    const [conversation] = await d.app.store.listConversations({});
    conversationId = conversation?.id ?? '';
    await d.slack.until(() => threadPosts().length >= 2);
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('opens a thread with a header card and mirrors the customer and the bot', async () => {
    const text = JSON.stringify(header.blocks);
    expect(text).toContain('webchat');
    expect(text).toContain(`Conversation ${conversationId}`);
    expect(text).toContain(ACTION.assignMe);
    const mirrored = threadPosts().map((p) => p.text);
    expect(mirrored[0]).toContain('I want to talk to a person please');
    // Named by who they are (here the web chat visitor), never by the contact's internal id.
    const [conversation] = await d.app.store.listConversations({});
    expect(mirrored[0]).not.toContain(conversation?.contactId);
    expect(mirrored[1]).toContain('Connecting you to a person.');
  });

  it("sends an agent's thread reply to the web chat customer, signed, once even when Slack redelivers it", async () => {
    const ts = nextTs();
    const event = {
      type: 'message',
      channel: DESK,
      channel_type: 'channel',
      user: AGENT,
      text: 'Hi, Maya here &amp; happy to help',
      ts,
      thread_ts: header.ts,
    };
    const first = await d.send.event(event, { eventId: 'EvREPLY0001' });
    expect(first.status).toBe(200);
    const again = await d.send.event(event, { eventId: 'EvREPLY0001', retryNum: 1 });
    expect(again.status).toBe(200);
    // Even under a new event id (a restart forgets ids), the same Slack message is taken once.
    expect((await d.send.event(event, { eventId: 'EvREPLY0002' })).status).toBe(200);
    await d.app.drain();
    expect(await webchatHistory(d.app.url, token)).toContain('Hi, Maya here & happy to help\n\n— Maya');
    const replies = (await agentMessages()).filter((m) => m.visibility === 'customer');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.status).toBe('sent');
    // The agent's own words are in the thread already: not mirrored a second time.
    await d.app.drain();
    expect(threadPosts().some((p) => p.text.includes('Maya here'))).toBe(false);
  });

  it('keeps an internal note from the customer and shows it in the thread', async () => {
    const open = await d.send.interaction(blockAction(AGENT, DESK, header.ts, ACTION.note, { value: conversationId }));
    expect(open.status).toBe(200);
    await d.slack.until(() => d.slack.callsOf('views.open').length === 1);
    const submitted = await d.send.interaction(
      viewSubmission(AGENT, VIEW.note, conversationId, {
        [NOTE_INPUT.block]: { [NOTE_INPUT.action]: { type: 'plain_text_input', value: 'Customer sounds upset' } },
      }),
    );
    expect(submitted.status).toBe(200);
    await d.slack.until(() => threadPosts().find((p) => p.text.includes('Customer sounds upset')));
    await d.app.drain();
    expect(await webchatHistory(d.app.url, token)).not.toContain('Customer sounds upset');
    const note = (await agentMessages()).find((m) => m.text === 'Customer sounds upset');
    expect(note?.visibility).toBe('internal');
    expect(await d.app.store.countOutbox('dead')).toBe(0);
  });

  it('refuses a Slack user who is not a mapped agent, with an ephemeral message', async () => {
    const res = await d.send.interaction(
      blockAction(STRANGER, DESK, header.ts, ACTION.resolve, { value: conversationId }),
    );
    expect(res.status).toBe(200);
    const refusal = await d.slack.until(() =>
      d.slack.callsOf('chat.postEphemeral').find((c) => c.params.user === STRANGER),
    );
    expect(String(refusal.params.text)).toContain('Only agents');
    expect((await d.app.store.getConversation(conversationId))?.status).not.toBe('resolved');
  });

  it('updates the header card in place when the conversation is assigned', async () => {
    const res = await d.send.interaction(
      blockAction(AGENT, DESK, header.ts, ACTION.assignMe, { value: conversationId }),
    );
    expect(res.status).toBe(200);
    const update = await d.slack.until(() =>
      d.slack
        .callsOf('chat.update')
        .find((c) => c.params.ts === header.ts && String(c.params.blocks).includes(`<@${AGENT}>`)),
    );
    expect(update.params.channel).toBe(DESK);
    expect((await d.app.store.getConversation(conversationId))?.assignee).toBe('maya');
  });

  it('rejects requests that Slack did not sign, and answers the URL check', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'abc123' });
    const ok = await d.send.raw(body, 'application/json');
    expect(await ok.json()).toEqual({ challenge: 'abc123' });
    const stale = await d.send.raw(body, 'application/json', {}, Math.floor(Date.now() / 1000) - 600);
    expect(stale.status).toBe(401);
    const forged = await fetch(`${d.app.url}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-slack-signature': 'v0=00',
      },
      body,
    });
    expect(forged.status).toBe(401);
  });
});
