import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordDefinition } from '../../adapters/discord/definition.ts';
import type { App } from '../../src/app.ts';
import type { Message } from '../../src/model/types.ts';
import { routerFile } from '../../src/settings/schema.ts';
import { startWorld, type World } from '../adapters/discord/support/world.ts';
import { type DeskApp, startDeskApp } from '../adapters/slack/support/desk-app.ts';
import { nextTs } from '../adapters/slack/support/slack-requests.ts';
import { FakeMediaCdn } from '../fakes/media-cdn.ts';
import { startLocalApp } from '../support/local-app.ts';
import { testSettings } from '../support/settings.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const inboundOf = async (app: App): Promise<Message[]> => {
  const out: Message[] = [];
  for (const c of await app.store.listConversations({}))
    out.push(...(await app.store.listMessages(c.id)).filter((m) => m.direction === 'inbound'));
  return out;
};

/**
 * A Slack customer's shared file: `url_private` on Slack's file host, which
 * serves it to the bot token only (anyone else is sent to the sign-in page);
 * fetched with the token, kept with its hash; a link off Slack's host refused.
 */
describe('files Slack customers share', () => {
  let d: DeskApp;
  beforeAll(async () => {
    // The fake Slack's file host (127.0.0.1) stands in for files.slack.com.
    d = await startDeskApp({
      slack: { customers: { enabled: true } },
      router: { attachments: { fetch: { testHosts: ['127.0.0.1'], maxAttempts: 1 } } },
    });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('fetches url_private with the bot token and keeps it; refuses a link to another host', async () => {
    const photo = randomBytes(20_000);
    const file = d.slack.addFile(photo, 'image/png', 'cake.png');
    const elsewhere = {
      id: 'F9',
      name: 'x.png',
      mimetype: 'image/png',
      url_private: 'https://files.evil.example/x.png',
    };
    const res = await d.send.event({
      type: 'message',
      subtype: 'file_share',
      channel: 'DCUST0001',
      channel_type: 'im',
      user: 'UCUST0001',
      text: 'the cake',
      ts: nextTs(),
      files: [file, elsewhere],
    });
    expect(res.status).toBe(200);
    await d.app.drain();
    const [message] = await inboundOf(d.app);
    expect(message?.attachments.map((a) => [a.name, a.contentType, a.sha256, a.size, a.error])).toEqual([
      ['cake.png', 'image/png', sha(photo), 20_000, undefined],
      ['x.png', 'image/png', undefined, undefined, "host files.evil.example is not one of this channel's"],
    ]);
    expect((await d.app.blobs.get(`sha256/${sha(photo)}`))?.equals(photo)).toBe(true);
  });
});

/**
 * A Discord attachment on the CDN's signed, expiring link (no token), kept
 * with its hash; a link whose signature was changed is refused (404, as the
 * CDN answers), and the message is answered either way.
 */
describe('files Discord users attach', () => {
  let world: World;
  let cdn: FakeMediaCdn;
  let app: App;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    world = await startWorld();
    cdn = await FakeMediaCdn.start();
    const router = routerFile.parse({ attachments: { fetch: { testHosts: [FakeMediaCdn.HOST], maxAttempts: 1 } } });
    ({ app, stop } = await startLocalApp('tp-discord-media-', {
      settings: testSettings({ router, channels: { discord: { enabled: true, settings: world.settings() } } }),
      adapters: { discord: discordDefinition },
    }));
    await world.discord.gateway.waitFor(() => world.discord.gateway.connected, 'the bot to connect');
  }, 30_000);
  afterAll(async () => {
    await stop?.();
    await world?.discord.stop();
    await cdn?.stop();
  });

  it('keeps an attachment from the CDN and refuses a tampered link', async () => {
    const receipt = Buffer.from('%PDF-1.4 order 1182');
    const url = cdn.discordAttachment(receipt, 'application/pdf', 'receipt.pdf');
    const tampered = url.replace(/hm=[0-9a-f]+/, `hm=${'f'.repeat(32)}`);
    world.discord.dm(world.cora, 'how much is a loaf?', [
      { filename: 'receipt.pdf', size: receipt.length, url, contentType: 'application/pdf' },
      { filename: 'other.pdf', size: 10, url: tampered, contentType: 'application/pdf' },
    ]);
    await world.discord.waitForPosts(1, 10_000);
    await expect.poll(async () => (await inboundOf(app))[0]?.attachments.every((a) => a.blobKey || a.error)).toBe(true);
    const [message] = await inboundOf(app);
    expect(message?.attachments.map((a) => [a.name, a.sha256, a.error])).toEqual([
      ['receipt.pdf', sha(receipt), undefined],
      ['other.pdf', undefined, `${FakeMediaCdn.HOST}:${new URL(url).port} answered 404`],
    ]);
    expect(cdn.requests.every((r) => r.authorization === null)).toBe(true);
    expect(world.discord.posted[0]?.body).toMatchObject({ content: 'A loaf is £4.' });
  }, 20_000);
});
