import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, OUR_SMS, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';

/**
 * A file the customer's channel cannot carry (its type, its size) refuses the
 * agent's whole reply with the reason, before anything is queued: the agent
 * sees why (the API's 400, the desk's note), and nothing goes out without it.
 */
describe('files a channel cannot carry', () => {
  let t: TwilioApp;
  beforeAll(async () => {
    t = await startTwilioApp({});
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses a zip and a 6 MB photo on SMS with the reason, and sends nothing', async () => {
    const customer = '+14155550402';
    await t.post('/twilio/sms', inbound({ from: customer, body: 'photo of the cake please' }));
    await t.app.drain();
    const [conversation] = (await t.app.store.listConversations({ channel: 'sms' })).filter(
      (c) => c.threadKey === `${OUR_SMS}/${customer}`,
    );
    const zip = await t.app.blobs.put(Buffer.from('PK\u0003\u0004 zip'), 'application/zip');
    const sentBefore = t.api.messages.length;
    const refusedZip = await t.admin('POST', `/api/conversations/${conversation?.id}/reply`, {
      text: 'Here you go',
      attachments: [{ blobKey: zip.key, contentType: 'application/zip', name: 'photos.zip' }],
    });
    expect(refusedZip.status).toBe(400);
    expect(refusedZip.body).toMatchObject({
      reason: expect.stringMatching(
        /^the sms channel cannot carry photos\.zip: application\/zip files are not carried/,
      ),
    });

    const big = await t.app.blobs.put(Buffer.alloc(10, 1), 'image/jpeg');
    const refusedBig = await t.admin('POST', `/api/conversations/${conversation?.id}/reply`, {
      text: 'Here you go',
      attachments: [{ blobKey: big.key, contentType: 'image/jpeg', name: 'cake.jpg', size: 6 * 1024 * 1024 }],
    });
    expect(refusedBig.status).toBe(400);
    expect(refusedBig.body).toMatchObject({
      reason: 'the sms channel cannot carry cake.jpg: 6291456 bytes is more than its 5242880-byte limit',
    });
    await t.app.drain();
    expect(t.api.messages.length).toBe(sentBefore);
    const outbound = (await t.app.store.listMessages(conversation?.id as string)).filter(
      (m) => m.direction === 'outbound' && m.author.kind === 'agent',
    );
    expect(outbound).toEqual([]);
  });
});
