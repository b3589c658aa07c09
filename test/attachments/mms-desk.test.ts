import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackDefinition } from '../../adapters/slack/definition.ts';
import { slackSettings } from '../../adapters/slack/settings.ts';
import { AGENT, DESK, SECRET, TOKEN } from '../adapters/slack/support/desk-app.ts';
import { nextTs, type SlackSender, slackSender } from '../adapters/slack/support/slack-requests.ts';
import { inbound, OUR_SMS, PUBLIC_URL, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';
import { FakeSlackApi, type SlackPost } from '../fakes/slack-api.ts';

/**
 * The issue's first test, end to end: an MMS photo (Twilio's signed webhook,
 * media behind the API's redirect to its CDN) is kept with the hash of the
 * provider's bytes, then shown in the Slack desk thread through files.uploadV2
 * (the real web-api client against the fake Slack, which implements the
 * external upload as Slack does); the agent shares a PDF in the thread and the
 * customer gets an MMS whose media URL is a signed link to the router that
 * serves that PDF, and refuses a wrong or expired signature. A photo that
 * cannot be fetched shows on the thread with the reason.
 */
describe('an MMS photo reaches the agent, the agent’s PDF reaches the customer', () => {
  let t: TwilioApp;
  let slack: FakeSlackApi;
  let send: SlackSender;

  beforeAll(async () => {
    // No per-channel spacing: a 429's hold would wait on the app's virtual clock.
    slack = await FakeSlackApi.start({ token: TOKEN, intervalMs: 0, channels: [DESK] });
    const settings = slackSettings.parse({
      botToken: TOKEN,
      signingSecret: SECRET,
      apiBaseUrl: slack.apiUrl,
      desk: { defaultChannel: DESK, agents: [{ slackUser: AGENT, agent: 'maya', name: 'Maya' }] },
    });
    t = await startTwilioApp({
      // The fake Twilio API (127.0.0.1), its CDN (localhost) and the fake Slack's file host (127.0.0.1).
      router: { attachments: { fetch: { testHosts: ['127.0.0.1', 'localhost'], maxAttempts: 3 } } },
      moreChannels: {
        channels: { slack: { enabled: true, rateLimit: { minTimeMs: 50 }, settings } },
        adapters: { slack: slackDefinition },
      },
    });
    send = slackSender(`${t.app.url}/slack/events`, SECRET, { slack });
  }, 30_000);
  afterAll(async () => {
    await t?.stop();
    await slack?.stop();
  });

  const header = (before: number) =>
    slack.until(() => slack.posts.slice(before).find((p) => p.channel === DESK && p.threadTs === null && p.blocks));
  const mms = (from: string, media: Array<[string, string]>) =>
    inbound({
      from,
      body: 'I want to talk to a person please, my cake arrived squashed',
      extra: {
        NumMedia: String(media.length),
        ...Object.fromEntries(
          media.flatMap(([url, type], i) => [
            [`MediaUrl${i}`, url],
            [`MediaContentType${i}`, type],
          ]),
        ),
      },
    });

  it('keeps the photo, uploads it into the desk thread, and sends the agent’s PDF as MMS on a signed link', async () => {
    const customer = '+14155550401';
    const photo = randomBytes(30_000);
    const sha256 = createHash('sha256').update(photo).digest('hex');
    const before = slack.posts.length;
    expect(
      (await t.post('/twilio/sms', mms(customer, [[t.api.addMedia(photo, 'image/jpeg'), 'image/jpeg']]))).status,
    ).toBe(200);
    await t.app.drain();
    const thread: SlackPost = await header(before);

    // Kept with the provider's hash, then uploaded into the thread: same bytes.
    const conversation = (await t.app.store.listConversations({ channel: 'sms' })).find(
      (c) => c.threadKey === `${OUR_SMS}/${customer}`,
    );
    const [message] = await t.app.store.listMessages(conversation?.id ?? '');
    expect(message?.attachments[0]).toMatchObject({ sha256, contentType: 'image/jpeg', size: 30_000 });
    const upload = await slack.until(() => slack.files.shared.find((f) => f.threadTs === thread.ts));
    expect(upload.channel).toBe(DESK);
    expect(createHash('sha256').update(upload.bytes).digest('hex')).toBe(sha256);
    expect(upload.filename).toMatch(/^photo-\d{4}-\d\d-\d\d-1\.jpg$/);
    // Through the external upload: a URL asked for, the bytes sent there, the upload completed into the thread.
    expect(slack.callsOf('files.getUploadURLExternal')[0]?.params).toMatchObject({ length: '30000' });
    expect(slack.callsOf('files.completeUploadExternal')[0]?.params).toMatchObject({
      channel_id: DESK,
      thread_ts: thread.ts,
    });
    // After the customer's words, in the same thread.
    const inThread = slack.posts.filter((p) => p.threadTs === thread.ts);
    expect(inThread.findIndex((p) => p.files)).toBeGreaterThan(inThread.findIndex((p) => p.text.includes('squashed')));

    // The agent shares a PDF in the thread.
    const pdf = Buffer.from('%PDF-1.4 refund voucher');
    const file = slack.addFile(pdf, 'application/pdf', 'voucher.pdf');
    const sent = t.api.messages.length;
    const shared = await send.event({
      type: 'message',
      subtype: 'file_share',
      channel: DESK,
      channel_type: 'channel',
      user: AGENT,
      text: 'Here is a voucher for the trouble',
      ts: nextTs(),
      thread_ts: thread.ts,
      files: [file],
    });
    expect(shared.status).toBe(200);
    await t.app.drain();
    const mmsOut = await waitFor(() => t.api.messages.slice(sent).find((m) => m.to === customer));
    expect(mmsOut.body).toMatch(/^Here is a voucher for the trouble\n\n— Maya$/);
    const [link] = mmsOut.mediaUrls;
    expect(link?.startsWith(`${PUBLIC_URL}/media/`)).toBe(true);
    const local = (l: string) => l.replace(PUBLIC_URL, t.app.url);

    // Twilio fetches the link: the PDF.
    const got = await fetch(local(link ?? ''));
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await got.arrayBuffer()).equals(pdf)).toBe(true);
    // A wrong signature, and the same link once expired, are refused.
    const wrong = new URL(local(link ?? ''));
    wrong.searchParams.set('s', `${wrong.searchParams.get('s')?.slice(0, -2)}AA`);
    expect(await refusal(wrong.toString())).toEqual([403, 'wrong signature']);
    // The thread was synced again since (the agent's reply); a second photo comes after the first, each shown once.
    const second = randomBytes(1_000);
    await t.post('/twilio/sms', mms(customer, [[t.api.addMedia(second, 'image/jpeg'), 'image/jpeg']]));
    await t.app.drain();
    const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    await slack.until(() => slack.files.shared.some((f) => hash(f.bytes) === hash(second)));
    expect(slack.files.shared.filter((f) => f.threadTs === thread.ts).map((f) => hash(f.bytes))).toEqual([
      sha256,
      hash(second),
    ]);
    t.clock.advance(8 * 24 * 3_600_000);
    expect(await refusal(local(link ?? ''))).toEqual([403, 'link expired']);
  }, 30_000);

  it('shows a photo that could not be fetched on the thread, with the reason; a passing failure is said and retried', async () => {
    const customer = '+14155550402';
    const gone = t.api.addMedia(Buffer.from('x'), 'image/png').replace(/ME[0-9a-f]{32}$/, `ME${'0'.repeat(32)}`);
    const before = slack.posts.length;
    await t.post('/twilio/sms', mms(customer, [[gone, 'image/png']]));
    await t.app.drain();
    const thread = await header(before);
    const line = await slack.until(() =>
      slack.posts.find((p) => p.threadTs === thread.ts && p.text.startsWith(':warning: The customer')),
    );
    expect(line.text).toMatch(/^:warning: The customer's photo could not be fetched: 127\.0\.0\.1:\d+ answered 404$/);
    expect(slack.files.shared.filter((f) => f.threadTs === thread.ts)).toEqual([]);

    // The next photo fails for a passing reason: said once on the thread, tried again, then shown.
    const photo = randomBytes(2_000);
    t.api.script({ status: 503, code: 20503, message: 'Service unavailable' });
    await t.post('/twilio/sms', mms(customer, [[t.api.addMedia(photo, 'image/jpeg'), 'image/jpeg']]));
    await t.app.drain();
    const waiting = await slack.until(() =>
      slack.posts.find((p) => p.threadTs === thread.ts && p.text.startsWith(':hourglass_flowing_sand: The customer')),
    );
    expect(waiting.text).toMatch(
      /^:hourglass_flowing_sand: The customer's photo could not be fetched yet \(127\.0\.0\.1:\d+ answered 503\); trying again at <!date\^\d+\^\{time_secs\}\|[\d:]+ UTC>$/,
    );
    t.clock.advance(60 * 60_000);
    await t.app.drain();
    const shown = await slack.until(() => slack.files.shared.find((f) => f.threadTs === thread.ts));
    expect(shown.bytes.equals(photo)).toBe(true);
  }, 30_000);
});

async function refusal(url: string): Promise<[number, string]> {
  const res = await fetch(url);
  return [res.status, ((await res.json()) as { reason: string }).reason];
}

async function waitFor<T>(check: () => T | undefined, ms = 10_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) {
    const v = check();
    if (v) return v;
  }
  throw new Error('condition not met');
}
