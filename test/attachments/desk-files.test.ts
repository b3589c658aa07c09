import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT, DESK, type DeskApp, startDeskApp, webchatSays } from '../adapters/slack/support/desk-app.ts';
import { nextTs } from '../adapters/slack/support/slack-requests.ts';
import type { SlackPost } from '../fakes/slack-api.ts';

/**
 * A file an agent shares in a desk thread (real Bolt and web-api against the
 * fake Slack API): fetched from Slack with the bot token through the fetch
 * guard, kept, and sent on where the customer's channel carries files; where
 * it cannot (the web chat), the agent is told why and nothing is sent.
 */
describe('files agents share in the desk', () => {
  let d: DeskApp;
  let header: SlackPost;
  let conversationId: string;

  beforeAll(async () => {
    // The fake Slack's file host (127.0.0.1) stands in for files.slack.com.
    d = await startDeskApp({ router: { attachments: { fetch: { testHosts: ['127.0.0.1'] } } } });
    await webchatSays(d.app.url, 'I want to talk to a person please');
    header = await d.slack.until(() =>
      d.slack.posts.find((p) => p.channel === DESK && p.threadTs === null && p.blocks),
    );
    conversationId = (await d.app.store.listConversations({}))[0]?.id ?? '';
    // The thread is known to the desk once the customer's message is mirrored into it.
    await d.slack.until(() => d.slack.posts.filter((p) => p.channel === DESK && p.threadTs === header.ts).length >= 2);
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  const share = (text: string, files: unknown[]) =>
    d.send.event({
      type: 'message',
      subtype: 'file_share',
      channel: DESK,
      channel_type: 'channel',
      user: AGENT,
      text,
      ts: nextTs(),
      thread_ts: header.ts,
      files,
    });
  const refusalTo = (pattern: RegExp) =>
    d.slack.until(() =>
      d.slack.callsOf('chat.postEphemeral').find((c) => c.params.user === AGENT && pattern.test(String(c.params.text))),
    );
  const agentReplies = async () =>
    (await d.app.store.listMessages(conversationId, { includeInternal: true })).filter(
      (m) => m.author.kind === 'agent',
    );

  it('refuses a file for a web chat customer with the reason, and sends nothing', async () => {
    const file = d.slack.addFile(Buffer.from('%PDF-1.4 receipt'), 'application/pdf', 'receipt.pdf');
    expect((await share('here is your receipt', [file])).status).toBe(200);
    const refusal = await refusalTo(/cannot carry files/);
    expect(String(refusal.params.text)).toBe(
      'Not sent to the customer: the webchat channel cannot carry files; send the text alone, or a link',
    );
    expect(await agentReplies()).toEqual([]);
  });

  it('refuses a shared file whose link is not Slack’s, before anything is fetched', async () => {
    const file = { id: 'F99', name: 'x.png', mimetype: 'image/png', url_private: 'https://169.254.169.254/x.png' };
    await share('look', [file]);
    const refusal = await refusalTo(/169\.254\.169\.254/);
    expect(String(refusal.params.text)).toBe(
      "Not sent to the customer: host 169.254.169.254 is not one of this channel's",
    );
    expect(await agentReplies()).toEqual([]);
  });
});
