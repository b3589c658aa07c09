import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlackApi } from './slack-api.ts';

/**
 * The fake's external upload driven by the real @slack/web-api `files.uploadV2`
 * (URL, upload, completion), and the refusals Slack gives a hand-made sequence.
 */
const TOKEN = 'xoxb-files';
const CHANNEL = 'CFILES001';
let slack: FakeSlackApi;
let client: InstanceType<typeof webApi.WebClient>;
const quiet = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => webApi.LogLevel.ERROR,
  setName: () => {},
};

beforeEach(async () => {
  slack = await FakeSlackApi.start({ token: TOKEN, intervalMs: 0, channels: [CHANNEL] });
  client = new webApi.WebClient(TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logger: quiet });
});
afterEach(async () => {
  await slack.stop();
});

describe('fake Slack: external file uploads', () => {
  it('takes files.uploadV2 into a thread: the bytes, the name, the thread', async () => {
    const root = await client.chat.postMessage({ channel: CHANNEL, text: 'header' });
    const bytes = Buffer.from('%PDF-1.4 voucher');
    const res = await client.files.uploadV2({
      channel_id: CHANNEL,
      thread_ts: root.ts ?? '',
      file: bytes,
      filename: 'voucher.pdf',
      title: 'Voucher',
    });
    expect(res.ok).toBe(true);
    expect(slack.files.shared).toEqual([
      {
        id: expect.stringMatching(/^F[0-9A-F]{10}$/),
        filename: 'voucher.pdf',
        title: 'Voucher',
        bytes,
        channel: CHANNEL,
        threadTs: root.ts,
        initialComment: null,
      },
    ]);
    expect(slack.posts.at(-1)).toMatchObject({
      channel: CHANNEL,
      threadTs: root.ts,
      files: [slack.files.shared[0]?.id],
    });
  });

  it('refuses a thread_ts that is a reply, a file never uploaded, and a second completion', async () => {
    const root = await client.chat.postMessage({ channel: CHANNEL, text: 'header' });
    const reply = await client.chat.postMessage({ channel: CHANNEL, text: 'reply', thread_ts: root.ts });
    const started = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 3 });
    const complete = (thread_ts?: string) =>
      client.files.completeUploadExternal({
        files: [{ id: started.file_id ?? '' }],
        channel_id: CHANNEL,
        ...(thread_ts ? { thread_ts } : {}),
      });
    await expect(complete(root.ts)).rejects.toMatchObject({ data: { error: 'file_not_found' } });
    const put = await fetch(started.upload_url ?? '', { method: 'POST', body: 'abc' });
    expect(put.status).toBe(200);
    await expect(complete(reply.ts)).rejects.toMatchObject({ data: { error: 'invalid_thread_ts' } });
    await complete(root.ts);
    await expect(complete(root.ts)).rejects.toMatchObject({ data: { error: 'file_not_found' } });
    // An upload URL is good once.
    expect((await fetch(started.upload_url ?? '', { method: 'POST', body: 'abc' })).status).toBe(404);
  });

  it('refuses a completion whose upload was not the announced length', async () => {
    const started = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 10 });
    await fetch(started.upload_url ?? '', { method: 'POST', body: 'short' });
    await expect(
      client.files.completeUploadExternal({ files: [{ id: started.file_id ?? '' }], channel_id: CHANNEL }),
    ).rejects.toMatchObject({ data: { error: 'file_upload_size_mismatch' } });
  });
});
