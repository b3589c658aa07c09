import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT, DESK, type DeskApp, startDeskApp, webchatSays } from '../adapters/slack/support/desk-app.ts';
import { nextTs } from '../adapters/slack/support/slack-requests.ts';
import { EICAR, FakeClamd } from '../fakes/clamd.ts';
import type { SlackPost } from '../fakes/slack-api.ts';

/**
 * A file an agent shares in a desk thread (real Bolt and web-api against the
 * fake Slack API): fetched from Slack with the bot token through the fetch
 * guard, kept, and sent on where the customer's channel carries files; where
 * it cannot (a type the web chat does not show) or the virus scan flags it,
 * the agent is told why and nothing is sent.
 */
describe('files agents share in the desk', () => {
  let d: DeskApp;
  let header: SlackPost;
  let conversationId: string;
  const clamd = new FakeClamd();

  beforeAll(async () => {
    // The fake Slack's file host (127.0.0.1) stands in for files.slack.com.
    await clamd.start();
    d = await startDeskApp({
      router: {
        attachments: {
          fetch: { testHosts: ['127.0.0.1'] },
          scan: { clamd: { host: '127.0.0.1', port: clamd.port }, timeout: '5s', onError: 'reject' },
        },
      },
    });
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
    await clamd.stop();
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

  it('refuses a file the web chat cannot carry with the reason, and sends nothing', async () => {
    const file = d.slack.addFile(Buffer.from('date,total\n2026-11-24,12.40\n'), 'text/csv', 'receipts.csv');
    expect((await share('here are your receipts', [file])).status).toBe(200);
    const refusal = await refusalTo(/cannot carry receipts\.csv/);
    expect(String(refusal.params.text)).toMatch(
      /^Not sent to the customer: the webchat channel cannot carry receipts\.csv: text\/csv files are not carried/,
    );
    expect(await agentReplies()).toEqual([]);
  });

  it('refuses a file the virus scan flags, with the reason, and keeps nothing', async () => {
    const flagged = Buffer.from(`%PDF-1.4\n${EICAR}\n`);
    const file = d.slack.addFile(flagged, 'application/pdf', 'invoice.pdf');
    await share('your invoice', [file]);
    const refusal = await refusalTo(/rejected by scan/);
    expect(String(refusal.params.text)).toBe('Not sent to the customer: file rejected by scan (Eicar-Signature)');
    expect(await agentReplies()).toEqual([]);
    expect(await d.app.blobs.get(`sha256/${createHash('sha256').update(flagged).digest('hex')}`)).toBeNull();
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

  it('sends a clean PDF to the web chat customer, kept with its hash', async () => {
    const pdf = Buffer.from('%PDF-1.4\nreceipt 42\n');
    await share('here is your receipt', [d.slack.addFile(pdf, 'application/pdf', 'receipt.pdf')]);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    for (let i = 0; i < 100 && !(await agentReplies()).some((m) => m.attachments[0]?.sha256 === sha256); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await agentReplies()).at(-1)?.attachments).toEqual([
      expect.objectContaining({ name: 'receipt.pdf', contentType: 'application/pdf', sha256 }),
    ]);
  });
});
