/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, AFTER_HOURS, inbound, OUR_SMS, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';

const SHOTS = '.tmp/attachments';

/** One second of a quiet tone as 8 kHz 8-bit mono WAV: something Chromium really decodes. */
function tone(): Buffer {
  const samples = Buffer.from(Array.from({ length: 8000 }, (_, i) => 128 + Math.round(40 * Math.sin(i / 4))));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + samples.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(8000, 28);
  h.writeUInt16LE(1, 32);
  h.writeUInt16LE(8, 34);
  h.write('data', 36);
  h.writeUInt32LE(samples.length, 40);
  return Buffer.concat([h, samples]);
}

/**
 * A customer's files on the dashboard transcript, in real Chromium under the
 * pages' own content security policy (not bypassed): the MMS photo shown
 * inline, a PDF as a download link with name, type and size, a file that could
 * not be fetched with the reason, and a voicemail as a player with its
 * transcription, all served by the signed-in dashboard route.
 */
describe('attachments on the dashboard transcript (Chromium)', () => {
  let t: TwilioApp;
  let browser: Browser;
  let page: Page;
  let contactId: string;
  const customer = '+14155550501';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await startTwilioApp({
      start: AFTER_HOURS,
      voice: {},
      router: { attachments: { fetch: { testHosts: ['127.0.0.1', 'localhost'], maxAttempts: 1 } } },
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
    page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();

    // A real picture: Chromium draws one.
    await page.setContent('<body style="margin:0;background:#e9a23b"><p style="font:40px sans-serif">cake</p></body>');
    const photo = await page.screenshot({ clip: { x: 0, y: 0, width: 240, height: 160 } });
    const pdf = Buffer.from('%PDF-1.4 receipt for order 1182');
    const gone = t.api.addMedia(Buffer.from('x'), 'image/png').replace(/ME[0-9a-f]{32}$/, `ME${'0'.repeat(32)}`);
    const media: Array<[string, string]> = [
      [t.api.addMedia(photo, 'image/png'), 'image/png'],
      [t.api.addMedia(pdf, 'application/pdf'), 'application/pdf'],
      [gone, 'image/jpeg'],
    ];
    await t.post(
      '/twilio/sms',
      inbound({
        from: customer,
        body: 'My cake arrived squashed, photo and receipt attached',
        extra: {
          NumMedia: String(media.length),
          ...Object.fromEntries(
            media.flatMap(([u, ty], i) => [
              [`MediaUrl${i}`, u],
              [`MediaContentType${i}`, ty],
            ]),
          ),
        },
      }),
    );
    // A voicemail after hours, with its transcription.
    const call = {
      AccountSid: ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      CallSid: `CA${'5'.repeat(32)}`,
      From: customer,
      To: OUR_SMS,
    };
    await t.post('/twilio/voice', { ...call, CallStatus: 'ringing', Direction: 'inbound' });
    const recording = t.api.addRecording(tone(), 'audio/wav');
    await t.post('/twilio/voice/transcription', {
      ...call,
      RecordingSid: `RE${'6'.repeat(32)}`,
      RecordingUrl: recording,
      TranscriptionStatus: 'completed',
      TranscriptionText: 'Hi, it is about the squashed cake, please call me back.',
    });
    await t.app.drain();
    const c = (await t.app.store.listConversations({ channel: 'sms' })).find(
      (x) => x.threadKey === `${OUR_SMS}/${customer}`,
    );
    contactId = c?.contactId ?? '';

    await page.goto(`${t.app.url}/admin/sign-in`);
    await page.getByLabel('Access token').fill(t.app.adminToken);
    await page.getByLabel('Access token').press('Enter');
    await page.waitForURL(/\/admin$/);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('shows the photo inline, the PDF as a link, the failure with its reason, and plays the voicemail', async () => {
    await page.goto(`${t.app.url}/admin/contacts/${contactId}`);
    const img = page.getByRole('img', { name: /^Picture sent: / });
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(240);

    const pdf = page.getByRole('link', { name: 'PDF 2' });
    const item = page.locator('li.file', { has: pdf });
    expect(await item.textContent()).toBe('PDF 2 · application/pdf · 31 B');
    const [download] = await Promise.all([page.waitForEvent('download'), pdf.click()]);
    expect(download.suggestedFilename()).toBe('pdf-2.pdf');

    expect(await page.locator('li.file.missing').textContent()).toMatch(
      /^Photo 3 · image\/jpeg · size unknown — could not be fetched: 127\.0\.0\.1:\d+ answered 404$/,
    );

    const audio = page.locator('audio');
    await audio.evaluate((el: HTMLAudioElement) => el.load());
    await expect
      .poll(() => audio.evaluate((el: HTMLAudioElement) => (el.error ? -el.error.code : el.readyState)))
      .toBeGreaterThanOrEqual(1);
    expect(await audio.evaluate((el: HTMLAudioElement) => Math.round(el.duration))).toBe(1);
    const voicemail = page.locator('li.msg', { has: audio });
    expect(await voicemail.locator('p.text').textContent()).toBe(
      'Transcription: Hi, it is about the squashed cake, please call me back.',
    );
    await page.screenshot({ path: `${SHOTS}/transcript.png`, fullPage: true });
  }, 30_000);

  it('serves files to a signed-in user only, and never as a page', async () => {
    const href = await page.getByRole('img', { name: /^Picture sent: / }).getAttribute('src');
    const signedOut = await fetch(`${t.app.url}${href}`, { redirect: 'manual' });
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get('location')).toMatch(/^\/admin\/sign-in\?next=/);
    const res = await page.request.get(`${t.app.url}${href}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-security-policy']).toBe("default-src 'none'; sandbox");
    const missing = await page.request.get(`${t.app.url}${href?.replace(/\/\d+$/, '/9')}`);
    expect(missing.status()).toBe(404);
  });
});
