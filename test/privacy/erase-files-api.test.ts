import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportedAttachment } from '../../src/privacy/export.ts';
import { inbound, OUR_SMS, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';

/**
 * Files through the whole app and the admin API: photos sent by MMS are
 * fetched into the blob store; the export carries their bytes; erasing the
 * customer deletes the photo only they sent and keeps the one another
 * customer sent too (same bytes, one content-addressed blob).
 */
describe('export and erase of a contact’s files over the admin API', () => {
  let t: TwilioApp;
  const ANN = '+14155550801';
  const BOB = '+14155550802';
  const own = randomBytes(20_000);
  const shared = randomBytes(10_000);

  const mms = (from: string, urls: string[]) =>
    inbound({
      from,
      body: 'here is the photo',
      extra: {
        NumMedia: String(urls.length),
        ...Object.fromEntries(
          urls.flatMap((u, i) => [
            [`MediaUrl${i}`, u],
            [`MediaContentType${i}`, 'image/jpeg'],
          ]),
        ),
      },
    });
  const conversationOf = async (customer: string) =>
    (await t.app.store.listConversations({ channel: 'sms' })).find((c) => c.threadKey === `${OUR_SMS}/${customer}`);
  const keysOf = async (customer: string) => {
    const c = await conversationOf(customer);
    const messages = c ? await t.app.store.listMessages(c.id) : [];
    return messages.flatMap((m) => m.attachments.map((a) => a.blobKey ?? ''));
  };

  beforeAll(async () => {
    t = await startTwilioApp({
      router: { attachments: { fetch: { testHosts: ['127.0.0.1', 'localhost'], maxAttempts: 2 } } },
    });
    await t.post('/twilio/sms', mms(ANN, [t.api.addMedia(own, 'image/jpeg'), t.api.addMedia(shared, 'image/jpeg')]));
    await t.post('/twilio/sms', mms(BOB, [t.api.addMedia(shared, 'image/jpeg')]));
    await t.app.drain();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('exports the photos’ bytes, then erases: the photo only Ann sent is gone, the shared one stays for Bob', async () => {
    const [ownKey, sharedKey] = await keysOf(ANN);
    expect(ownKey).toMatch(/^sha256\//);
    expect(await keysOf(BOB)).toEqual([sharedKey]);
    const contactId = (await conversationOf(ANN))?.contactId as string;

    const exported = await t.admin('GET', `/api/contacts/${contactId}/export`);
    expect(exported.status).toBe(200);
    const files = (
      exported.body as { conversations: Array<{ messages: Array<{ attachments: ExportedAttachment[] }> }> }
    ).conversations.flatMap((c) => c.messages.flatMap((m) => m.attachments));
    expect(files.map((f) => Buffer.from(f.contentBase64 ?? '', 'base64').length).sort()).toEqual([10_000, 20_000]);
    expect(Buffer.from(files.find((f) => f.blobKey === ownKey)?.contentBase64 ?? '', 'base64').equals(own)).toBe(true);

    const erased = await t.admin('POST', `/api/contacts/${contactId}/erase`);
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ files: { deleted: 1, shared: 1, left: 0 } });
    expect(await t.app.blobs.get(ownKey as string)).toBeNull();
    expect((await t.app.blobs.get(sharedKey as string))?.equals(shared)).toBe(true);
    expect(await t.app.store.blobSweeps.pending(10)).toEqual([]);
  });
});
