import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/model/types.ts';
import { inbound, OUR_SMS, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';

/**
 * An MMS photo through the whole app: the webhook (Twilio's format, signed)
 * is acknowledged before anything is fetched; the router then fetches the
 * media with the account's credentials through the API's redirect to the CDN,
 * keeps it in the blob store, and records hash, type and size on the message.
 */
describe('MMS media kept (fake Twilio API)', () => {
  let t: TwilioApp;
  // The fake API (127.0.0.1) and its media CDN (localhost): the test hosts the fetch guard lets resolve to loopback.
  beforeAll(async () => {
    t = await startTwilioApp({
      router: { attachments: { fetch: { testHosts: ['127.0.0.1', 'localhost'], maxAttempts: 2 } } },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const inboundOf = async (customer: string): Promise<Message | undefined> => {
    const c = (await t.app.store.listConversations({ channel: 'sms' })).find(
      (x) => x.threadKey === `${OUR_SMS}/${customer}`,
    );
    return c ? (await t.app.store.listMessages(c.id)).find((m) => m.direction === 'inbound') : undefined;
  };
  const mms = (customer: string, urls: Array<[string, string]>) =>
    inbound({
      from: customer,
      body: 'my cake arrived squashed',
      extra: {
        NumMedia: String(urls.length),
        ...Object.fromEntries(
          urls.flatMap(([url, type], i) => [
            [`MediaUrl${i}`, url],
            [`MediaContentType${i}`, type],
          ]),
        ),
      },
    });

  it('acknowledges at once, then keeps the photo with the hash of the provider’s bytes', async () => {
    const customer = '+14155550301';
    const photo = randomBytes(50_000);
    const url = t.api.addMedia(photo, 'image/jpeg');
    const res = await t.post('/twilio/sms', mms(customer, [[url, 'image/jpeg']]));
    expect(res.status).toBe(200);
    // Acknowledged before anything was fetched.
    expect(t.api.mediaRequests).toEqual([]);

    await t.app.drain();
    const [attachment] = (await inboundOf(customer))?.attachments ?? [];
    const sha256 = createHash('sha256').update(photo).digest('hex');
    expect(attachment).toMatchObject({
      url,
      contentType: 'image/jpeg',
      sha256,
      size: 50_000,
      blobKey: `sha256/${sha256}`,
    });
    expect((await t.app.blobs.get(attachment?.blobKey ?? ''))?.equals(photo)).toBe(true);
    // The API got the account's credentials; the CDN it redirected to got none.
    expect(t.api.mediaRequests.map((r) => r.authorized)).toEqual([true, false]);
    expect(await t.app.store.pendingMediaFetches()).toBe(0);
  });

  it('refuses a wrong type and a host outside Twilio, keeps the reason, and still routes the message', async () => {
    const customer = '+14155550302';
    const page = t.api.addMedia(Buffer.from('<html>'), 'text/html');
    await t.post(
      '/twilio/sms',
      mms(customer, [
        [page, 'text/html'],
        ['https://169.254.169.254/latest/meta-data/', 'image/jpeg'],
      ]),
    );
    await t.app.drain();
    const message = await inboundOf(customer);
    expect(message?.text).toBe('my cake arrived squashed');
    expect(message?.attachments.map((a) => [a.blobKey, a.error])).toEqual([
      [undefined, 'content type text/html is not one this channel takes'],
      [undefined, "host 169.254.169.254 is not one of this channel's"],
    ]);
    expect(await t.app.store.countInbound('pending')).toBe(0);
  });

  it('retries a failing fetch with backoff, then gives up and shows why', async () => {
    const customer = '+14155550303';
    const gone = t.api.addMedia(Buffer.from('x'), 'image/png').replace(/ME[0-9a-f]{32}$/, `ME${'0'.repeat(32)}`);
    t.api.script({ status: 503, code: 20503, message: 'Service unavailable' });
    await t.post('/twilio/sms', mms(customer, [[gone, 'image/png']]));
    await t.app.drain();
    expect((await inboundOf(customer))?.attachments[0]?.error).toBeUndefined();
    expect(await t.app.store.pendingMediaFetches()).toBe(1);
    t.clock.advance(60 * 60_000);
    await t.app.drain();
    expect((await inboundOf(customer))?.attachments[0]?.error).toMatch(/answered 404/);
    expect(await t.app.store.pendingMediaFetches()).toBe(0);
  });
});
