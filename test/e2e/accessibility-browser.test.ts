import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { problemPage, thanksPage } from '../../adapters/webform/pages.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { type LocalApp, startLocalApp } from '../support/local-app.ts';
import { shiftedClock } from '../support/shifted-clock.ts';

const SHOTS = '.tmp/accessibility';
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** WCAG 2.0, 2.1 and 2.2 at levels A and AA. */
const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/** A property of the focused element (the test's code runs in the page, where `document` is). */
const active = (page: Page, prop: 'id' | 'tagName' | 'textContent') =>
  page.evaluate(`document.activeElement?.${prop} ?? ''`) as Promise<string>;

/** axe-core's WCAG 2.2 AA violations on the page as it stands. */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axeSource });
  return page.evaluate(async (tags) => {
    const axe = (
      globalThis as unknown as {
        axe: { run: (o: unknown) => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
      }
    ).axe;
    const r = await axe.run({ runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
  }, WCAG_22_AA);
}

/**
 * The customer pages (web chat, its widget on a shop's page, the web form's
 * answers) in real headless Chromium: axe-core finds no WCAG 2.2 AA violation,
 * new messages are announced, everything works from the keyboard alone, and
 * nothing moves for a visitor who asks for reduced motion.
 */
describe('accessibility of the customer pages', () => {
  let local: LocalApp | undefined;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const settings = loadConfig({ configDir: 'config', flowsDir: 'flows', adapters, env: { ...process.env } });
    // A Tuesday at 10:00 in London: open, so the flows answer.
    local = await startLocalApp('tp-a11y-', {
      settings,
      adapters,
      clock: shiftedClock(new Date('2026-11-24T10:00:00Z')),
    });
    url = local.app.url;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    // axe-core is injected as a script, which the pages' own policy rightly forbids.
    context = await browser.newContext({ bypassCSP: true, reducedMotion: 'reduce' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await local?.stop();
  });

  it('the chat page: no violations empty, with messages and with choice buttons; new messages are announced', async () => {
    const page = await context.newPage();
    await page.goto(`${url}/chat`);
    await page.locator('#text:enabled').waitFor();
    expect(await violations(page)).toEqual([]);
    expect(await page.locator('#log').getAttribute('aria-live')).toBe('polite');

    await page.locator('#text').fill('a question about allergens please');
    await page.locator('#text').press('Enter');
    await page.locator('#log .msg.bot .choices button.choice').first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${SHOTS}/chat.png` });
    expect(await violations(page)).toEqual([]);
    // The announcement: each message is an item of the polite live region, the bot's with who said it.
    expect(await page.locator('#log[aria-live="polite"] .msg.bot').count()).toBeGreaterThan(0);
    await page.close();
  }, 60_000);

  it('the chat works from the keyboard alone: Tab to the box, Enter sends, Tab to a choice, Enter picks it', async () => {
    const visitor = await browser.newContext({ reducedMotion: 'reduce' });
    const page = await visitor.newPage();
    await page.goto(`${url}/chat`);
    await page.locator('#text:enabled').waitFor();
    for (let i = 0; i < 5 && (await active(page, 'id')) !== 'text'; i++) {
      await page.keyboard.press('Tab');
    }
    expect(await active(page, 'id')).toBe('text');
    await page.keyboard.type('a question about allergens please');
    await page.keyboard.press('Enter');
    const choices = page.locator('#log .msg.bot .choices button.choice');
    await choices.first().waitFor({ timeout: 15_000 });
    // From the box, Shift+Tab walks back into the choices (they come before the composer in the page).
    let reached = '';
    for (let i = 0; i < 8 && reached !== 'Vegan and gluten-free'; i++) {
      await page.keyboard.press('Shift+Tab');
      reached = await active(page, 'textContent');
    }
    expect(reached).toBe('Vegan and gluten-free');
    await page.keyboard.press('Enter');
    await page.locator('#log .msg.customer .bubble', { hasText: 'Vegan and gluten-free' }).waitFor({ timeout: 15_000 });
    await visitor.close();
  }, 60_000);

  it("the page's language is the conversation's: German after a German message", async () => {
    const visitor = await browser.newContext();
    const page = await visitor.newPage();
    await page.goto(`${url}/chat`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.locator('#text').fill('Wie viel kostet ein Brot bitte?');
    await page.locator('#text').press('Enter');
    await page.locator('#log .msg.bot .bubble', { hasText: 'Sauerteigbrot' }).waitFor({ timeout: 15_000 });
    await page.reload();
    await page.locator('html[lang="de"]').waitFor({ state: 'attached', timeout: 15_000 });
    await visitor.close();
  }, 60_000);

  it('nothing animates for a visitor who asks for reduced motion', async () => {
    const page = await context.newPage();
    await page.goto(`${url}/chat`);
    await page.locator('#text:enabled').waitFor();
    // Every element whose computed style still moves: an animation, a transition or smooth scrolling.
    const moving = await page.evaluate(`[...document.querySelectorAll('*')]
      .filter((el) => {
        const s = getComputedStyle(el);
        return s.scrollBehavior === 'smooth' || s.animationName !== 'none' ||
          s.transitionDuration.split(',').some((d) => Number.parseFloat(d) > 0);
      })
      .map((el) => el.tagName)`);
    expect(moving).toEqual([]);
    await page.close();
  });

  it('the widget on a shop page: no violations closed or open; the keyboard opens it, Escape closes it and returns focus', async () => {
    const page = await context.newPage();
    // The landing page stands in for the shop's page: the embedded chat may be framed by its own origin.
    await page.goto(`${url}/`);
    await page.addScriptTag({ url: `${url}/webchat/widget.js` });
    const button = page.getByRole('button', { name: /chat/i });
    await button.waitFor();
    expect(await violations(page)).toEqual([]);
    await button.focus();
    await page.keyboard.press('Enter');
    await page.locator('iframe').waitFor();
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    await page.screenshot({ path: `${SHOTS}/widget-open.png` });
    expect(await violations(page)).toEqual([]);
    // Focus moved into the chat; Escape from inside it closes the panel and gives focus back to the button.
    expect(await active(page, 'tagName')).toBe('IFRAME');
    await page.frameLocator('iframe').locator('#text:enabled').waitFor();
    await page.frameLocator('iframe').locator('#text').press('Escape');
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('BUTTON');
    expect(await button.getAttribute('aria-expanded')).toBe('false');

    const embedded = await context.newPage();
    await embedded.goto(`${url}/chat?embed=1`);
    await embedded.locator('#text:enabled').waitFor();
    expect(await violations(embedded)).toEqual([]);
    await embedded.close();
    await page.close();
  }, 60_000);

  it("the web form's answer pages: no violations", async () => {
    const page = await context.newPage();
    await page.setContent(thanksPage('Thanks, we will reply by email within a day.'));
    expect(await violations(page)).toEqual([]);
    await page.setContent(problemPage('Please check the form', ['email: an email address, please']));
    expect(await violations(page)).toEqual([]);
    await page.close();
  });
});
