import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../adapters/slack/desk/header.ts';
import type { Contact, Conversation } from '../../src/model/types.ts';
import { AGENT, DESK, type DeskApp, STRANGER, startDeskApp, webchatSays } from '../adapters/slack/support/desk-app.ts';
import { blockAction } from '../adapters/slack/support/slack-requests.ts';
import type { SlackPost } from '../fakes/slack-api.ts';
import { newConversation } from '../support/records.ts';

/**
 * A suggested match answered from the desk's header card, through Bolt
 * against the fake Slack Web API: a web chat visitor writes the email address
 * of a contact we already know; the card asks whether they are the same
 * person; the agent's press merges them.
 */
describe('a suggested merge accepted from Slack', () => {
  let d: DeskApp;
  let header: SlackPost;
  let known: Contact;
  let chat: Conversation;

  const suggestionButton = (blocks: unknown) =>
    (JSON.parse(JSON.stringify(blocks)) as Array<{ elements?: Array<{ action_id: string; value: string }> }>)
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === ACTION.mergeAccept);

  beforeAll(async () => {
    d = await startDeskApp();
    known = await d.app.store.transaction(async (tx) => {
      const c = await tx.createContact({ name: 'Ann Lee' }, { kind: 'email', value: 'ann@shop.test' }, 0);
      await tx.createConversation(newConversation(c.id, 'email', 'mail-1', { status: 'resolved' }), 0);
      return c;
    });
    await webchatSays(d.app.url, 'I want to talk to a person please, my email is Ann@Shop.test');
    header = await d.slack.until(() => d.slack.posts.find((p) => p.channel === DESK && p.threadTs === null));
    const [c] = await d.app.store.listConversations({ channel: 'webchat' });
    chat = c as Conversation;
    await d.app.store.updateContact(chat.contactId, { optOuts: ['webchat'] });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('shows the suggestion on the header card with its reason', () => {
    const text = JSON.stringify(header.blocks);
    expect(text).toContain('Possibly the same person');
    expect(text).toContain(known.id);
    expect(text).toContain('Ann@Shop.test');
    expect(suggestionButton(header.blocks)).toBeDefined();
  });

  it('refuses a Slack user who is not an agent, and changes nothing', async () => {
    const button = suggestionButton(header.blocks);
    await d.send.interaction(blockAction(STRANGER, DESK, header.ts, ACTION.mergeAccept, { value: button?.value }));
    await d.slack.until(() => d.slack.callsOf('chat.postEphemeral').find((c) => c.params.user === STRANGER));
    expect(await d.app.store.mergedInto(chat.contactId)).toBeNull();
  });

  it("an agent's press merges: conversations, opt-outs and timers move, and the merge is recorded", async () => {
    expect(await d.app.store.findConversationsOfContact(chat.contactId)).toHaveLength(1);
    const button = suggestionButton(header.blocks);
    await d.send.interaction(blockAction(AGENT, DESK, header.ts, ACTION.mergeAccept, { value: button?.value }));
    const into = await d.slack.until(async () => d.app.store.mergedInto(chat.contactId));
    expect(into).toBe(known.id);
    expect((await d.app.store.getConversation(chat.id))?.contactId).toBe(known.id);
    expect((await d.app.store.getContact(known.id))?.optOuts).toEqual(['webchat']);
    const [record] = await d.app.store.listMerges(known.id);
    expect(record).toMatchObject({ fromId: chat.contactId, intoId: known.id, moved: { conversations: [chat.id] } });
    expect(record?.by).toBe('maya');
    expect(await d.app.store.listSuggestions({ status: 'accepted' })).toHaveLength(1);
    // The card is redrawn without the question.
    await d.slack.until(() =>
      d.slack
        .callsOf('chat.update')
        .find((c) => c.params.ts === header.ts && !String(c.params.blocks).includes(ACTION.mergeAccept)),
    );
  });
});
