import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ASSIST, ASSIST_VIEW, DRAFT_INPUT, KB_INPUT, KNOWLEDGE_SHORTCUT } from '../../adapters/slack/desk/assist.ts';
import { ACTION } from '../../adapters/slack/desk/header.ts';
import { NOTE_SHORTCUT } from '../../adapters/slack/desk/listeners.ts';
import { VIEW } from '../../adapters/slack/desk/modals.ts';
import { knowledgeFile, noPolicies } from '../../src/settings/policy-schema.ts';
import {
  AGENT,
  DESK,
  type DeskApp,
  STRANGER,
  startDeskApp,
  webchatHistory,
  webchatSays,
} from '../adapters/slack/support/desk-app.ts';
import { blockAction, viewSubmission } from '../adapters/slack/support/slack-requests.ts';
import { FakeChatCompletions } from '../fakes/chat-completions.ts';
import type { SlackCall, SlackPost } from '../fakes/slack-api.ts';

const DRAFT = 'A loaf is £4.80; we can have one ready for you at 8:00.';

/**
 * AI-drafted replies and knowledge search in the Slack desk, through bolt
 * against the fake Slack Web API and a fake chat completions endpoint: a
 * draft is shown to the pressing agent only, and nothing reaches the customer
 * until they press Send (or submit their edit).
 */
describe('Slack desk: drafted replies and knowledge search', () => {
  let d: DeskApp;
  let llm: FakeChatCompletions;
  let token: string;
  let header: SlackPost;

  const press = (actionId: string, extra: Record<string, unknown> = {}, user = AGENT) =>
    d.send.interaction(blockAction(user, DESK, header.ts, actionId, extra));
  const ephemerals = (user = AGENT) => d.slack.callsOf('chat.postEphemeral').filter((c) => c.params.user === user);
  const ephemeral = (after: number, check: (text: string) => boolean, user = AGENT) =>
    d.slack.until(() =>
      ephemerals(user)
        .slice(after)
        .find((c) => check(String(c.params.text))),
    );
  const buttonValue = (call: SlackCall, actionId: string): string => {
    const blocks = JSON.stringify(call.params.blocks);
    const m = new RegExp(`\\\\?"action_id\\\\?":\\\\?"${actionId}\\\\?",\\\\?"value\\\\?":\\\\?"([^"\\\\]+)`).exec(
      blocks,
    );
    if (!m?.[1]) throw new Error(`no ${actionId} button in ${blocks}`);
    return m[1];
  };
  const customerSees = async () => {
    await d.app.drain();
    return webchatHistory(d.app.url, token);
  };

  beforeAll(async () => {
    llm = await FakeChatCompletions.start();
    d = await startDeskApp({
      settings: {
        policies: {
          ...noPolicies(),
          knowledge: knowledgeFile.parse({
            answers: {
              prices: { title: 'Prices', keywords: ['price', 'how much'], answer: 'A sourdough loaf is £4.80.' },
            },
            drafts: {
              enabled: true,
              baseUrl: llm.baseUrl,
              model: 'test-model',
              apiKey: 'sk-test-key',
              timeout: '1s',
            },
          }),
        },
      },
    });
    token = await webchatSays(d.app.url, 'I want to talk to a person please');
    const [c] = await d.app.store.listConversations({});
    if (!c) throw new Error('no conversation');
    // a name the store knows is redacted; one only written in a message cannot be told from other words
    await d.app.store.transaction((tx) => tx.updateContact(c.contactId, { name: 'Ada Lovelace' }));
    await webchatSays(d.app.url, 'I am Ada Lovelace, ada@example.com. How much is a loaf of sourdough?', token);
    header = await d.slack.until(() => d.slack.posts.find((p) => p.channel === DESK && p.threadTs === null));
    // the thread is known once the customer's messages are mirrored into it
    await d.slack.until(() => d.slack.posts.find((p) => p.threadTs === header.ts && p.text.includes('sourdough')));
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
    await llm?.stop();
  });
  beforeEach(() => {
    llm.behaviour = { kind: 'answer', text: DRAFT };
  });

  it('shows Draft a reply on the header card when drafts are on', () => {
    expect(JSON.stringify(header.blocks)).toContain(ACTION.draft);
  });

  it('shows the draft to the agent only; the customer gets nothing until Send', async () => {
    const seen = ephemerals().length;
    const asked = llm.requests.length;
    await press(ACTION.draft);
    const shown = await ephemeral(seen, (t) => t.startsWith('Draft reply:'));
    expect(String(shown.params.text)).toContain(DRAFT);
    expect(shown.params.thread_ts).toBe(header.ts);
    expect(llm.requests).toHaveLength(asked + 1);
    // shown, not sent: not in the thread for everyone, not to the customer
    expect(d.slack.posts.some((p) => p.text.includes(DRAFT))).toBe(false);
    expect((await customerSees()).some((t) => t.includes(DRAFT))).toBe(false);

    await press(ASSIST.draftSend, { value: buttonValue(shown, ASSIST.draftSend) });
    await expect
      .poll(async () => (await customerSees()).some((t) => t.includes(DRAFT)), { timeout: 10_000 })
      .toBe(true);
  });

  it('sends what the endpoint needs and no personal data: model, key, redacted turns, the matching knowledge', async () => {
    const asked = llm.requests.length;
    await press(ACTION.draft);
    await expect.poll(() => llm.requests.length).toBe(asked + 1);
    const req = llm.requests.at(-1);
    expect(req?.authorization).toBe('Bearer sk-test-key');
    expect(req?.body.model).toBe('test-model');
    const sent = JSON.stringify(req?.body.messages);
    expect(sent).not.toContain('ada@example.com');
    expect(sent).not.toContain('Lovelace');
    expect(sent).toContain('[email address]');
    expect(sent).toContain('A sourdough loaf is £4.80.');
    expect(req?.body.messages[0]?.role).toBe('system');
    expect(req?.body.messages.some((m) => m.role === 'user' && m.content.includes('How much is a loaf'))).toBe(true);
  });

  it('lets the agent edit the draft in a modal and sends the edited text', async () => {
    const seen = ephemerals().length;
    await press(ACTION.draft);
    const shown = await ephemeral(seen, (t) => t.startsWith('Draft reply:'));
    const opens = d.slack.callsOf('views.open').length;
    await press(ASSIST.draftEdit, { value: buttonValue(shown, ASSIST.draftEdit) });
    const opened = await d.slack.until(() => d.slack.callsOf('views.open').slice(opens)[0]);
    expect(String(opened.params.view)).toContain(DRAFT);
    const edited = 'Edited: a loaf is £4.80, see you at 8!';
    const conversationId = JSON.parse(String(opened.params.view)).private_metadata as string;
    await d.send.interaction(
      viewSubmission(AGENT, ASSIST_VIEW.draft, conversationId, {
        [DRAFT_INPUT.block]: { [DRAFT_INPUT.action]: { type: 'plain_text_input', value: edited } },
      }),
    );
    await expect
      .poll(async () => (await customerSees()).some((t) => t.includes(edited)), { timeout: 10_000 })
      .toBe(true);
  });

  it('tells the agent clearly when the endpoint fails, refuses the key, or is too slow; nothing is sent', async () => {
    const before = (await customerSees()).length;
    const cases: Array<[FakeChatCompletions['behaviour'], RegExp]> = [
      [{ kind: 'error', status: 500, message: 'The server had an error' }, /could not draft a reply: it answered 500/],
      [{ kind: 'error', status: 401, message: 'Incorrect API key provided' }, /refused the API key/],
      [{ kind: 'slow', ms: 3_000, text: DRAFT }, /did not answer within 1s/],
    ];
    for (const [behaviour, said] of cases) {
      llm.behaviour = behaviour;
      const seen = ephemerals().length;
      await press(ACTION.draft);
      await ephemeral(seen, (t) => said.test(t));
    }
    expect(await customerSees()).toHaveLength(before);
  });

  it('refuses drafts to a Slack user who is not a desk agent, without asking the endpoint', async () => {
    const asked = llm.requests.length;
    const seen = ephemerals(STRANGER).length;
    await press(ACTION.draft, {}, STRANGER);
    await ephemeral(seen, () => true, STRANGER);
    expect(llm.requests).toHaveLength(asked);
  });

  it('searches the knowledge base from a message shortcut and sends the chosen answer on click', async () => {
    const opens = d.slack.callsOf('views.open').length;
    await d.send.interaction({
      type: 'message_action',
      callback_id: KNOWLEDGE_SHORTCUT,
      trigger_id: 'trigger-kb',
      user: { id: AGENT },
      channel: { id: DESK },
      message: { type: 'message', ts: header.ts, text: 'how much is it' },
    });
    const opened = await d.slack.until(() => d.slack.callsOf('views.open').slice(opens)[0]);
    const view = JSON.parse(String(opened.params.view)) as { private_metadata: string };
    const seen = ephemerals().length;
    await d.send.interaction(
      viewSubmission(AGENT, ASSIST_VIEW.knowledge, view.private_metadata, {
        [KB_INPUT.block]: { [KB_INPUT.action]: { type: 'plain_text_input', value: 'price of sourdough' } },
      }),
    );
    const results = await ephemeral(seen, (t) => t.startsWith('Knowledge for'));
    expect(JSON.stringify(results.params.blocks)).toContain('A sourdough loaf is £4.80.');
    expect((await customerSees()).filter((t) => t.includes('A sourdough loaf is £4.80.'))).toHaveLength(0);
    await press(ASSIST.knowledgeSend, { value: buttonValue(results, ASSIST.knowledgeSend) });
    await expect
      .poll(async () => (await customerSees()).some((t) => t.includes('A sourdough loaf is £4.80.')), {
        timeout: 10_000,
      })
      .toBe(true);
  });

  it('opens the note form from a message shortcut in a desk thread, and refuses it elsewhere', async () => {
    const opens = d.slack.callsOf('views.open').length;
    await d.send.interaction({
      type: 'message_action',
      callback_id: NOTE_SHORTCUT,
      trigger_id: 'trigger-note',
      user: { id: AGENT },
      channel: { id: DESK },
      message: { type: 'message', ts: header.ts, text: 'a message in the thread' },
    });
    const opened = await d.slack.until(() => d.slack.callsOf('views.open').slice(opens)[0]);
    const view = JSON.parse(String(opened.params.view)) as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe(VIEW.note);
    expect(view.private_metadata).toMatch(/^01/);

    const seen = ephemerals().length;
    await d.send.interaction({
      type: 'message_action',
      callback_id: NOTE_SHORTCUT,
      trigger_id: 'trigger-elsewhere',
      user: { id: AGENT },
      channel: { id: DESK },
      message: { type: 'message', ts: '1700000000.000999', text: 'not in a conversation thread' },
    });
    await ephemeral(seen, (t) => t.includes('desk thread'));
    expect(d.slack.callsOf('views.open')).toHaveLength(opens + 1);
  });
});
