import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, OUR_WA, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';

/**
 * An agent's photo to a WhatsApp customer goes as Twilio media: the real
 * twilio client posts a MediaUrl that is the router's signed link, which
 * serves the photo's bytes; a type WhatsApp does not take is refused with
 * the reason before anything is queued.
 */
describe('WhatsApp: agent files as media URLs', () => {
  let t: TwilioApp;
  const CUSTOMER = '+14155550477';
  beforeAll(async () => {
    t = await startTwilioApp({});
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('sends a kept photo on a signed link serving its bytes, and refuses a GIF', async () => {
    await t.post(
      '/twilio/whatsapp',
      inbound({ from: `whatsapp:${CUSTOMER}`, to: `whatsapp:${OUR_WA}`, body: 'can I see the cake?' }),
    );
    await t.app.drain();
    const [conversation] = await t.app.store.listConversations({ channel: 'whatsapp' });
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(3_000)]);
    const kept = await t.app.blobs.put(photo, 'image/jpeg');
    const reply = await t.admin('POST', `/api/conversations/${conversation?.id}/reply`, {
      text: 'Here it is',
      attachments: [{ blobKey: kept.key, contentType: 'image/jpeg', name: 'cake.jpg', size: photo.length }],
    });
    expect(reply.status).toBe(201);
    await t.app.drain();
    const sent = t.api.messages.find((m) => m.to === `whatsapp:${CUSTOMER}` && m.body === 'Here it is');
    const [mediaUrl] = sent?.mediaUrls ?? [];
    expect(mediaUrl).toMatch(/^https:\/\/touchpoint\.example\.com\/media\/[0-9a-f]{64}\?t=image%2Fjpeg&e=\d+&s=/);
    const local = new URL(mediaUrl ?? '');
    const served = await fetch(`${t.app.url}${local.pathname}${local.search}`);
    expect(Buffer.from(await served.arrayBuffer()).equals(photo)).toBe(true);

    const gif = await t.app.blobs.put(Buffer.from('GIF89a...'), 'image/gif');
    const refused = await t.admin('POST', `/api/conversations/${conversation?.id}/reply`, {
      text: 'And this',
      attachments: [{ blobKey: gif.key, contentType: 'image/gif', name: 'dance.gif' }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      reason: expect.stringMatching(/^the whatsapp channel cannot carry dance\.gif: image\/gif files are not carried/),
    });
  });
});
