import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESK, type DeskApp, startDeskApp, webchatSays } from '../adapters/slack/support/desk-app.ts';

const SECRET = 'my card number is 4929 1234 5678 9012';

/**
 * Erasing a customer clears their Slack desk thread (through real Bolt's
 * Web API client against the fake Slack API): the bot's mirrored posts under
 * the header card are deleted (chat.delete) and the header card is updated to
 * the anonymous shell, so no desk message holds their words.
 */
describe('erase clears the desk thread', () => {
  let d: DeskApp;

  beforeAll(async () => {
    d = await startDeskApp();
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('deletes the mirrored messages and leaves a header card without their words', async () => {
    const token = await webchatSays(d.app.url, 'I want to talk to a person please');
    const header = await d.slack.until(() => d.slack.posts.find((p) => p.channel === DESK && p.threadTs === null));
    await webchatSays(d.app.url, SECRET, token);
    const inThread = () => d.slack.posts.filter((p) => p.threadTs === header.ts);
    await d.slack.until(() => inThread().find((p) => p.text.includes('4929 1234')));
    const [conversation] = await d.app.store.listConversations({});
    const contactId = conversation?.contactId as string;

    const res = await fetch(`${d.app.url}/api/contacts/${contactId}/erase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${d.app.adminToken}` },
    });
    expect(res.status).toBe(200);

    await d.slack.until(() => (inThread().length === 0 ? true : undefined));
    expect(d.slack.callsOf('chat.delete').length).toBeGreaterThanOrEqual(2);
    const card = d.slack
      .callsOf('chat.update')
      .filter((c) => c.params.ts === header.ts)
      .at(-1);
    expect(JSON.stringify(card?.params)).toContain('Unknown customer');
    // What Slack shows now: the header as updated and nothing under it.
    const shown = JSON.stringify([card?.params, d.slack.posts.filter((p) => p.channel === DESK)]);
    expect(shown).not.toContain('4929');
  });
});
