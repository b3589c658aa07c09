import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/model/types.ts';
import { inbound, OUR_SMS, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';
import { EICAR, FakeClamd } from '../fakes/clamd.ts';

/**
 * The scan hook on provider fetches, through the whole app: an MMS whose
 * media clamd flags is not kept and the attachment says why; while clamd is
 * down (fail closed) the fetch is retried, and kept once clamd is back.
 */
describe('MMS media scanned before it is kept', () => {
  let t: TwilioApp;
  const clamd = new FakeClamd();
  beforeAll(async () => {
    await clamd.start();
    t = await startTwilioApp({
      router: {
        attachments: {
          fetch: { testHosts: ['127.0.0.1', 'localhost'], maxAttempts: 3 },
          scan: { clamd: { host: '127.0.0.1', port: clamd.port }, timeout: '5s', onError: 'reject' },
        },
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await clamd.stop();
  });

  const inboundOf = async (customer: string): Promise<Message | undefined> => {
    const c = (await t.app.store.listConversations({ channel: 'sms' })).find(
      (x) => x.threadKey === `${OUR_SMS}/${customer}`,
    );
    return c ? (await t.app.store.listMessages(c.id)).find((m) => m.direction === 'inbound') : undefined;
  };
  const mms = (customer: string, url: string, type: string) =>
    inbound({
      from: customer,
      body: 'see attached',
      extra: { NumMedia: '1', MediaUrl0: url, MediaContentType0: type },
    });
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it('keeps nothing of a flagged file and shows why', async () => {
    const customer = '+14155550601';
    const flagged = Buffer.from(`%PDF-1.4\n${EICAR}\n`);
    await t.post('/twilio/sms', mms(customer, t.api.addMedia(flagged, 'application/pdf'), 'application/pdf'));
    await t.app.drain();
    const [attachment] = (await inboundOf(customer))?.attachments ?? [];
    expect(attachment?.error).toBe('file rejected by scan (Eicar-Signature)');
    expect(attachment?.blobKey).toBeUndefined();
    expect(await t.app.blobs.get(`sha256/${sha256(flagged)}`)).toBeNull();
  });

  it('retries while the scanner is down (fail closed), and keeps the file once it is back', async () => {
    const customer = '+14155550602';
    const photo = randomBytes(10_000);
    const port = clamd.port;
    await clamd.stop();
    await t.post('/twilio/sms', mms(customer, t.api.addMedia(photo, 'image/jpeg'), 'image/jpeg'));
    await t.app.drain();
    const waiting = (await inboundOf(customer))?.attachments[0];
    expect(waiting?.blobKey).toBeUndefined();
    expect(waiting?.error).toBeUndefined();
    expect(await t.app.blobs.get(`sha256/${sha256(photo)}`)).toBeNull();

    await clamd.start(port);
    t.clock.advance(60 * 60_000);
    await t.app.drain();
    const [kept] = (await inboundOf(customer))?.attachments ?? [];
    expect(kept).toMatchObject({ sha256: sha256(photo), contentType: 'image/jpeg' });
  });
});
