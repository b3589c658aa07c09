import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaLinks, resolveMediaKey } from '../../src/attachments/links.ts';
import { ACCOUNT_SID, inbound, OUR_SMS, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';

/**
 * Signed media links served by the router (what Twilio fetches for an MMS an
 * agent sends): the file when the link is signed and current, 403 with the
 * reason when the signature is wrong or the link expired.
 */
describe('signed media links', () => {
  let t: TwilioApp;
  beforeAll(async () => {
    t = await startTwilioApp({ router: { attachments: { links: { ttl: '1h' } } } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** Links as the router signs them: the same key (kept in the store), against the local address. */
  const linksAt = async () =>
    createMediaLinks({
      key: await resolveMediaKey(t.app.store),
      publicUrl: t.app.url,
      ttlMs: 3_600_000,
      clock: t.clock,
    });

  it('serves a kept file on a signed link, and refuses a wrong or expired signature', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(2_000)]);
    const kept = await t.app.blobs.put(pdf, 'application/pdf');
    const url = (await linksAt()).link(kept.key, 'application/pdf') as string;

    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/pdf');
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await ok.arrayBuffer()).equals(pdf)).toBe(true);

    const wrong = new URL(url);
    wrong.searchParams.set('s', `${wrong.searchParams.get('s')?.slice(0, -2)}AA`);
    const bad = await fetch(wrong);
    expect(bad.status).toBe(403);
    expect(await bad.json()).toEqual({ error: 'forbidden', reason: 'wrong signature' });

    // Retyped or stretched, the signature no longer matches.
    const retyped = new URL(url);
    retyped.searchParams.set('t', 'text/html');
    expect((await fetch(retyped)).status).toBe(403);
    const stretched = new URL(url);
    stretched.searchParams.set('e', String(Number(stretched.searchParams.get('e')) + 86_400));
    expect((await fetch(stretched)).status).toBe(403);
    expect((await fetch(url.replace(/\?.*$/, ''))).status).toBe(403);

    t.clock.advance(3_600_000 + 1_000);
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toEqual({ error: 'forbidden', reason: 'link expired' });
  });

  it('sends a kept file to the customer as MMS media on a signed link to the router', async () => {
    const customer = '+14155550401';
    await t.post('/twilio/sms', inbound({ from: customer, body: 'can you send the invoice' }));
    await t.app.drain();
    const [conversation] = (await t.app.store.listConversations({ channel: 'sms' })).filter(
      (c) => c.threadKey === `${OUR_SMS}/${customer}`,
    );
    const pdf = Buffer.from('%PDF-1.4 invoice 42');
    const kept = await t.app.blobs.put(pdf, 'application/pdf');
    const attachment = { contentType: 'application/pdf', name: 'invoice.pdf', blobKey: kept.key, sha256: kept.sha256 };
    const res = await t.admin('POST', `/api/conversations/${conversation?.id}/reply`, {
      text: 'Here is your invoice',
      attachments: [attachment],
    });
    expect(res.status).toBe(201);
    await t.app.drain();
    const sent = t.api.messages.find((m) => m.to === customer && m.body === 'Here is your invoice');
    expect(sent?.accountSid).toBe(ACCOUNT_SID);
    const [mediaUrl] = sent?.mediaUrls ?? [];
    // Signed on the public URL Twilio reaches; the same path and query serve the PDF here.
    expect(mediaUrl).toMatch(/^https:\/\/touchpoint\.example\.com\/media\/[0-9a-f]{64}\?t=application%2Fpdf&e=\d+&s=/);
    const local = new URL(mediaUrl ?? '');
    const served = await fetch(`${t.app.url}${local.pathname}${local.search}`);
    expect(Buffer.from(await served.arrayBuffer()).equals(pdf)).toBe(true);
  });
});
