import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import type { WebchatSettings } from '../../adapters/webchat/settings.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import type { Message } from '../../src/model/types.ts';
import type { Settings } from '../../src/settings/types.ts';
import { EICAR, FakeClamd } from '../fakes/clamd.ts';
import { type LocalApp, startLocalApp } from '../support/local-app.ts';
import { shiftedClock } from '../support/shifted-clock.ts';

/**
 * Web chat uploads in real headless Chromium against the whole app: a photo
 * is kept (the hash of its bytes), shown to the visitor and listed for agents;
 * a program renamed .png and a file over the limit are refused with a reason
 * the page shows; a file the scanner flags is not kept.
 */
const MAX_BYTES = 200_000;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A real PNG (w×h, RGB), padded with a text chunk to about `size` bytes. */
function png(w: number, h: number, size = 0): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((w * 3 + 1) * h, 0x80);
  for (let y = 0; y < h; y++) rows[y * (w * 3 + 1)] = 0;
  const pad = size > 0 ? [chunk('tEXt', Buffer.concat([Buffer.from('Comment\0'), Buffer.alloc(size, 0x61)]))] : [];
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...pad,
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** What a Windows program starts with: the MZ header and the PE signature it points to. */
function exe(): Buffer {
  const b = Buffer.alloc(1024);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  return b;
}

describe('web chat uploads in a real browser', () => {
  let settings: Settings;
  let local: LocalApp | undefined;
  let browser: Browser;
  const clamd = new FakeClamd();

  beforeAll(async () => {
    await clamd.start();
    const loaded = loadConfig({
      configDir: 'config',
      flowsDir: 'flows',
      adapters,
      env: { ...process.env, TOUCHPOINT_ADMIN_TOKEN: 'e2e-admin-token-0123456789' },
    });
    const webchat = loaded.channels.webchat as { settings: WebchatSettings };
    webchat.settings.uploads.maxBytes = MAX_BYTES;
    const scan = { clamd: { host: '127.0.0.1', port: clamd.port }, timeout: '5s', onError: 'reject' as const };
    settings = { ...loaded, router: { ...loaded.router, attachments: { ...loaded.router.attachments, scan } } };
    local = await startLocalApp('tp-webchat-upload-', {
      settings,
      adapters,
      clock: shiftedClock(new Date('2026-11-24T10:00:00Z')),
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await local?.stop();
    await clamd.stop();
  });

  const app = () => (local as LocalApp).app;
  const ready = async (page: Page) => {
    await page.goto(`${app().url}/chat`);
    // A selector, not a string predicate: the page's CSP forbids eval, which Playwright's polling of a string uses.
    await page.locator('#file:enabled').waitFor({ state: 'attached' });
  };

  it('keeps an uploaded photo by its bytes, shows it in the chat and lists it for agents', async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await ready(page);
    const photo = png(48, 32);
    await page.setInputFiles('#file', { name: 'squashed-cake.png', mimeType: 'image/png', buffer: photo });
    const img = page.locator('#log .msg.customer .files img.file');
    await img.waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      "(() => { const el = document.querySelector('#log .msg.customer .files img.file'); return el !== null && el.complete && el.naturalWidth > 0; })()",
    );
    const drawn = await page.evaluate(
      "(() => { const el = document.querySelector('#log .msg.customer .files img.file'); return [el.naturalWidth, el.naturalHeight, el.alt]; })()",
    );
    expect(drawn).toEqual([48, 32, 'squashed-cake.png']);
    await mkdir('.tmp', { recursive: true });
    await page.screenshot({ path: '.tmp/webchat-upload-photo.png' });

    const [conversation] = await app().store.listConversations({ channel: 'webchat', limit: 5 });
    const messages = await app().store.listMessages(conversation?.id as string);
    const uploaded = messages.find((m) => m.attachments.length > 0) as Message;
    expect(uploaded.attachments).toEqual([
      expect.objectContaining({
        name: 'squashed-cake.png',
        contentType: 'image/png',
        size: photo.length,
        sha256: sha256(photo),
      }),
    ]);
    expect((await app().blobs.get(`sha256/${sha256(photo)}`))?.equals(photo)).toBe(true);
    const res = await fetch(`${app().url}/api/conversations/${conversation?.id}`, {
      headers: { authorization: `Bearer ${app().adminToken}` },
    });
    const shown = ((await res.json()) as { messages: Message[] }).messages.find((m) => m.id === uploaded.id);
    expect(shown?.attachments[0]?.sha256).toBe(sha256(photo));
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('refuses a program renamed .png and a file over the limit, with the reason on the page, keeping neither', async () => {
    const page = await browser.newPage();
    await ready(page);
    const program = exe();
    await page.setInputFiles('#file', { name: 'cake.png', mimeType: 'image/png', buffer: program });
    const error = page.locator('#error');
    await error.filter({ hasText: 'whatever its name says' }).waitFor({ timeout: 15_000 });
    expect(await error.textContent()).toBe(
      'Your file was not sent: only photos (JPEG, PNG, GIF, WebP) and PDFs can be sent: its bytes are application/x-msdownload, whatever its name says',
    );
    await page.screenshot({ path: '.tmp/webchat-upload-refused.png' });
    expect(await app().blobs.get(`sha256/${sha256(program)}`)).toBeNull();

    const big = png(8, 8, 250_000);
    await page.setInputFiles('#file', { name: 'huge.png', mimeType: 'image/png', buffer: big });
    await error.filter({ hasText: 'up to' }).waitFor({ timeout: 15_000 });
    expect(await error.textContent()).toBe(
      'Your file was not sent: the file is 0.2 MB; this chat takes files up to 0.2 MB',
    );
    expect(await app().blobs.get(`sha256/${sha256(big)}`)).toBeNull();
    expect(await page.locator('#log .msg.customer').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('refuses a file the scanner flags (422) and limits files per visitor (429)', async () => {
    const session = (await (await fetch(`${app().url}/webchat/session`, { method: 'POST' })).json()) as {
      token: string;
    };
    const upload = (body: Buffer, clientId: string) =>
      fetch(`${app().url}/webchat/files?clientId=${clientId}&name=doc.pdf`, {
        method: 'POST',
        headers: { 'x-visitor-token': session.token, 'content-type': 'application/pdf' },
        body: new Uint8Array(body),
      });
    const flagged = Buffer.from(`%PDF-1.4\n${EICAR}\n`);
    const refused = await upload(flagged, 'scan-1');
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ reason: 'file rejected by scan (Eicar-Signature)' });
    expect(await app().blobs.get(`sha256/${sha256(flagged)}`)).toBeNull();

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await upload(Buffer.from(`%PDF-1.4\n% doc ${i}\n`), `doc-${i}`)).status);
    // The flagged file took one of the visitor's five.
    expect(statuses).toEqual([202, 202, 202, 202, 429]);
  });
});
