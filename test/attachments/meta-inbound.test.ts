import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import type { Message } from '../../src/model/types.ts';
import { routerFile } from '../../src/settings/schema.ts';
import { messengerPayload, postSigned, startMessengerRouter } from '../adapters/meta/support.ts';
import type { FakeGraphApi } from '../fakes/graph-api.ts';
import { FakeMediaCdn } from '../fakes/media-cdn.ts';
import { capturedLog } from '../support/log-capture.ts';

/**
 * Messenger attachments through the whole router: the webhook is acknowledged
 * and the message answered whatever happens to its files; a photo on Meta's
 * signed lookaside link (redirected to the content CDN, no token) is kept with
 * its hash; a link to loopback or the metadata service, a redirect to a private
 * address, an oversized file and a wrong type are refused, logged, and leave
 * nothing in the blob store.
 */
describe('Messenger attachments fetched from Meta’s CDN', () => {
  let cdn: FakeMediaCdn;
  let graph: FakeGraphApi;
  let app: App;
  let dir: string;
  let stop: () => Promise<void>;
  const { log, lines } = capturedLog();

  beforeAll(async () => {
    cdn = await FakeMediaCdn.start();
    const router = routerFile.parse({
      attachments: { fetch: { testHosts: [FakeMediaCdn.HOST], maxBytes: 100_000, maxAttempts: 2 } },
    });
    ({ app, graph, dir, stop } = await startMessengerRouter('tp-meta-media-', { router }, log));
  });
  afterAll(async () => {
    await stop?.();
    await cdn?.stop();
  });

  let seq = 0;
  /** A person's message with attachments, as Meta posts it; resolves once routed and its files fetched. */
  async function personSends(psid: string, text: string, attachments: Array<{ type: string; url: string }>) {
    const payload = messengerPayload([{ psid, mid: `m.media.${++seq}`, text, timestamp: Date.now() }]);
    const message = payload.entry[0]?.messaging[0]?.message as Record<string, unknown>;
    message.attachments = attachments.map((a) => ({ type: a.type, payload: { url: a.url } }));
    graph.delivered(payload);
    expect(await postSigned(`${app.url}/meta/facebook`, payload)).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    await app.drain();
    const conversation = (await app.store.listConversations({ channel: 'facebook' })).find((c) =>
      c.threadKey.includes(psid),
    );
    const messages = conversation ? await app.store.listMessages(conversation.id) : [];
    return messages.find((m) => m.direction === 'inbound') as Message;
  }

  it('keeps a photo from the lookaside link with the hash of the CDN’s bytes, sending no token', async () => {
    const photo = randomBytes(40_000);
    const url = cdn.metaAttachment(photo, 'image/jpeg');
    const message = await personSends('601', 'my cake arrived squashed', [{ type: 'image', url }]);
    const sha256 = createHash('sha256').update(photo).digest('hex');
    expect(message.attachments).toEqual([
      { url, contentType: 'image/jpeg', sha256, size: 40_000, blobKey: `sha256/${sha256}` },
    ]);
    expect((await app.blobs.get(`sha256/${sha256}`))?.equals(photo)).toBe(true);
    // The signed link redirected to the content CDN; neither got a credential.
    expect(cdn.requests.map((r) => [r.path.replace(/[0-9a-f]{16}/, 'ID'), r.status, r.authorization])).toEqual([
      ['/lookaside/', 302, null],
      ['/cdn/ID.bin', 200, null],
    ]);
  });

  it('refuses loopback, the metadata service, a redirect to a private address, an oversized file and a wrong type', async () => {
    const kept = () => readdir(`${dir}/blobs`, { recursive: true }).catch(() => []);
    const before = await kept();
    lines.length = 0;
    const attachments = [
      { type: 'image', url: 'https://127.0.0.1/photo.jpg' },
      { type: 'image', url: 'https://169.254.169.254/latest/meta-data/' },
      {
        type: 'image',
        url: cdn.metaAttachment(Buffer.from('x'), 'image/jpeg', { redirectTo: 'https://10.1.2.3/p.jpg' }),
      },
      { type: 'image', url: cdn.metaAttachment(randomBytes(150_000), 'image/jpeg') },
      { type: 'image', url: cdn.metaAttachment(Buffer.from('<html>login</html>'), 'text/html') },
    ];
    const message = await personSends('602', 'How much is a loaf?', attachments);
    const reasons = [
      "host 127.0.0.1 is not one of this channel's",
      "host 169.254.169.254 is not one of this channel's",
      "host 10.1.2.3 is not one of this channel's",
      '150000 bytes, over the 100000 allowed',
      'content type text/html is not one this channel takes',
    ];
    expect(message.attachments.map((a) => [a.blobKey, a.sha256, a.error])).toEqual(
      reasons.map((r) => [undefined, undefined, r]),
    );
    // Refused at once (never retried), each logged with its reason.
    expect(await app.store.pendingMediaFetches()).toBe(0);
    const logged = lines.filter((l) => l.msg === 'attachment not kept').map((l) => [l.attempts, l.reason]);
    expect(logged.sort()).toEqual(reasons.map((r) => [1, r]).sort());
    // Nothing kept: the blob folder is as it was.
    expect(await kept()).toEqual(before);
    // The message itself was routed and answered as usual.
    expect(message.text).toBe('How much is a loaf?');
    expect(graph.sends.filter((s) => s.to === '602').map((s) => s.text)).toEqual(['A loaf is £4.']);
  });

  it('takes nothing that is not a file (a shared location) and nothing whose link was tampered with', async () => {
    const good = cdn.metaAttachment(Buffer.from('x'), 'image/png');
    const tampered = good.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(32)}`);
    const message = await personSends('603', 'here', [
      { type: 'location', url: 'https://www.bing.com/maps/default.aspx?v=2&pc=FACEBK' },
      { type: 'image', url: tampered },
    ]);
    expect(message.attachments.map((a) => [a.blobKey, a.error])).toEqual([
      [undefined, 'the facebook channel does not fetch files'],
      [undefined, `${FakeMediaCdn.HOST}:${new URL(good).port} answered 403`],
    ]);
  });
});
