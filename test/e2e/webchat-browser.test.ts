import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import type { Settings } from '../../src/settings/types.ts';
import { type LocalApp, startLocalApp } from '../support/local-app.ts';
import { shiftedClock } from '../support/shifted-clock.ts';

/**
 * The example business from config/ and flows/, served by the whole app, used
 * through the chat page in real headless Chromium.
 */
describe('web chat in a real browser', () => {
  let settings: Settings;
  let app: LocalApp['app'];
  let local: LocalApp | undefined;
  let browser: Browser;

  beforeAll(async () => {
    settings = loadConfig({
      configDir: 'config',
      flowsDir: 'flows',
      adapters,
      env: { ...process.env, TOUCHPOINT_ADMIN_TOKEN: 'e2e-admin-token-0123456789' },
    });
    // A Tuesday at 10:00 in London: the bakery is open, so the flows answer (not the after-hours triage).
    const clock = shiftedClock(new Date('2026-11-24T10:00:00Z'));
    local = await startLocalApp('tp-webchat-e2e-', { settings, adapters, clock });
    app = local.app;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await local?.stop();
  });

  /** The text of every bubble of one kind, in page order. */
  const bubbles = (page: Page, kind: 'customer' | 'bot') => page.locator(`#log .msg.${kind} .bubble`).allTextContents();

  it('answers a price question from the templates and keeps the conversation across a reload', async () => {
    const pricing = settings.templates.pricing;
    const answer = typeof pricing === 'string' ? pricing : (pricing?.text ?? '');
    const snippet = 'sourdough loaf £4.80';
    expect(answer).toContain(snippet);

    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${app.url}/chat`);
    const input = page.locator('#text');
    // fill waits until the page has its session and enables the box
    await input.fill('how much is a sourdough loaf?');
    await input.press('Enter');
    await page.locator('#log .msg.bot .bubble', { hasText: snippet }).waitFor({ timeout: 15_000 });
    expect(await bubbles(page, 'customer')).toEqual(['how much is a sourdough loaf?']);
    expect(await input.inputValue()).toBe('');
    await page.locator('#error').waitFor({ state: 'hidden' });
    // The header says whether the bakery is open, by its calendar.
    await page.locator('#status', { hasText: 'Open now' }).waitFor({ timeout: 15_000 });

    await page.reload();
    await page.locator('#log .msg.bot .bubble', { hasText: snippet }).waitFor({ timeout: 15_000 });
    expect(await bubbles(page, 'customer')).toEqual(['how much is a sourdough loaf?']);
    expect((await bubbles(page, 'bot')).filter((t) => t.includes(snippet))).toHaveLength(1);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows a choice question as buttons; a click answers it and the flow goes on', async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${app.url}/chat`);
    await page.locator('#text').fill('a question about allergens please');
    await page.locator('#text').press('Enter');
    const buttons = page.locator('#log .msg.bot .choices button.choice');
    await buttons.first().waitFor({ timeout: 15_000 });
    expect(await buttons.allTextContents()).toEqual([
      'Allergens',
      'Vegan and gluten-free',
      'Celebration cakes',
      'Something else',
    ]);
    // The question alone: the numbered lines are for channels without buttons.
    const question = await page.locator('#log .msg.bot .bubble').last().textContent();
    expect(question).toBe('Happy to help. What would you like to know about?');
    await mkdir('.tmp', { recursive: true });
    await page.screenshot({ path: '.tmp/webchat-choices.png' });

    await page.getByRole('button', { name: 'Vegan and gluten-free' }).click();
    await page.locator('#log .msg.bot .bubble', { hasText: 'vegan' }).last().waitFor({ timeout: 15_000 });
    expect((await bubbles(page, 'customer')).at(-1)).toBe('Vegan and gluten-free');
    const free = settings.templates.product_free_from;
    const expected = (typeof free === 'string' ? free : (free?.text ?? '')).slice(0, 30);
    expect((await bubbles(page, 'bot')).at(-1)).toContain(expected);
    // Answered: no buttons are left to click.
    expect(await buttons.count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 60_000);
});
