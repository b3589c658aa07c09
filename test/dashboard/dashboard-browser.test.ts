import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startDashboard, TOKEN } from './harness.ts';

const SHOTS = '.tmp/dashboard';
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's findings on the page as it stands (WCAG 2 A/AA and best practices). */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axeSource });
  const found = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run: (o: unknown) => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
      }
    ).axe;
    const r = await axe.run({ resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
  });
  return found;
}

/**
 * The dashboard in real headless Chromium: signing in, every page read and
 * used as an owner would, each checked by axe-core and photographed.
 */
describe('the dashboard in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startDashboard();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // axe-core is injected as a script, which the pages' own policy rightly forbids.
    context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  const check = async (name: string) => {
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
    expect(await violations(page), name).toEqual([]);
  };

  it('sends an unsigned visitor to sign in, refuses a wrong token, and signs in with the admin token', async () => {
    await page.goto(`${h.url}/admin/conversations`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await check('sign-in');
    await page.getByLabel('Access token').fill('not the token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not right' }).waitFor();
    await page.getByLabel('Access token').fill(TOKEN);
    await page.getByLabel('Access token').press('Enter');
    await page.waitForURL(`${h.url}/admin/conversations`);
    const cookie = (await context.cookies()).find((c) => c.name === 'tp_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Strict');
  }, 60_000);

  it('shows KPI tiles against their targets, with sparklines', async () => {
    await page.goto(`${h.url}/admin?days=7`);
    const tiles = page.locator('#kpi-tiles > li');
    expect(await tiles.count()).toBeGreaterThanOrEqual(7);
    const text = await page.locator('#kpi-tiles').textContent();
    for (const label of ['CSAT (4–5 of 5)', 'First contact resolution', 'Average handle time', 'Backlog beyond SLA'])
      expect(text).toContain(label);
    expect(text).toMatch(/target [≥≤]/);
    // the volume tile draws the opened conversations per day
    expect(await page.locator('.tiles svg').count()).toBeGreaterThan(0);
    await check('overview');
  }, 60_000);

  it('draws the report charts for the period asked', async () => {
    await page.goto(`${h.url}/admin/reports`);
    await page.getByLabel('From (UTC day)').fill('2026-11-20');
    await page.getByLabel('To (UTC day, included)').fill('2026-11-24');
    await page.getByLabel('Break down by').selectOption('channel');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/since=2026-11-20&until=2026-11-24&by=channel/);
    for (const id of ['volume', 'first-response', 'targets', 'csat', 'complaints'])
      expect(await page.locator(`#chart-${id} svg`).count(), id).toBe(1);
    expect(await page.getByRole('heading', { name: 'By channel' }).count()).toBe(1);
    await check('reports');
  }, 60_000);

  it('filters the conversations, pages through them, and opens a transcript across channels', async () => {
    await page.goto(`${h.url}/admin/conversations`);
    expect(await page.locator('#conversations tbody tr').count()).toBe(50);
    await check('conversations');
    await page.getByRole('link', { name: 'Next page' }).click();
    expect(await page.locator('#conversations tbody tr').count()).toBe(50);
    await page.getByRole('link', { name: 'First page' }).click();
    await page.getByLabel('VIP').selectOption('yes');
    await page.getByLabel('Channel').selectOption('email');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/vip=yes/);
    expect(await page.locator('#conversations tbody tr').count()).toBe(1);
    await page.getByLabel('SLA breached').selectOption('yes');
    await page.getByLabel('VIP').selectOption('');
    await page.getByLabel('Channel').selectOption('');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/breached=yes/);
    expect(await page.locator('#conversations tbody tr').count()).toBe(17);
    expect(await page.locator('#conversations .badge.breached').count()).toBe(17);

    await page.goto(`${h.url}/admin/conversations?vip=yes`);
    await page.getByRole('link', { name: 'Ann Baker' }).first().click();
    await page.getByRole('heading', { name: 'Ann Baker', level: 1 }).waitFor();
    const transcript = await page.locator('main').textContent();
    expect(transcript).toContain('Where is my wedding cake order?');
    expect(transcript).toContain('It leaves the bakery at noon.');
    expect(transcript).toContain('VIP: call before delivery');
    expect(transcript).toContain('Thanks, the cake was perfect');
    expect(await page.locator('section[id^="c-"]').count()).toBe(2);
    expect(await page.locator('section h2').allInnerTexts()).toEqual([
      expect.stringMatching(/^email/),
      expect.stringMatching(/^sms/),
    ]);
    await check('transcript');
  }, 60_000);

  it('retries a dead letter from its button', async () => {
    await page.goto(`${h.url}/admin/dead-letters`);
    expect(await page.locator('#dead-letters tbody tr').count()).toBe(1);
    expect(await page.locator('#dead-letters').textContent()).toContain('mailbox unavailable (550)');
    await check('dead-letters');
    await page.locator(`#dl-${h.deadLetterId}`).getByRole('button', { name: /Retry/ }).click();
    await page.getByRole('status').filter({ hasText: 'Queued again' }).waitFor();
    expect(await page.locator('#no-dead-letters').count()).toBe(1);
    expect(await h.store.countOutbox('dead')).toBe(0);
    expect(h.retried.count).toBe(1);
  }, 60_000);

  it('lists the flows and shows one as a diagram', async () => {
    await page.goto(`${h.url}/admin/flows`);
    expect(await page.locator('#flows tbody tr').count()).toBeGreaterThan(3);
    await check('flows');
    const first = page.locator('#flows tbody tr th a').first();
    const id = await first.textContent();
    await first.click();
    await page.getByRole('heading', { name: `Flow ${id}` }).waitFor();
    await expect
      .poll(() => page.evaluate(() => (document.querySelector('#diagram') as HTMLImageElement | null)?.complete))
      .toBe(true);
    const width = await page.evaluate<number>("document.querySelector('#diagram').naturalWidth");
    expect(width).toBeGreaterThan(100);
    await check('flow');
  }, 60_000);

  it('fits a phone screen and is used from the keyboard', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    for (const path of [
      '/admin',
      '/admin/conversations',
      `/admin/contacts/${h.ann.contactId}`,
      '/admin/dead-letters',
    ]) {
      await phone.goto(`${h.url}${path}`);
      const overflow = await phone.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await phone.goto(`${h.url}/admin`);
    await phone.screenshot({ path: `${SHOTS}/overview-phone.png`, fullPage: true });
    await phone.keyboard.press('Tab');
    expect(await phone.evaluate<string>('document.activeElement?.textContent')).toBe('Skip to content');
    await phone.keyboard.press('Tab');
    expect(await phone.evaluate<string>('document.activeElement?.textContent')).toBe('Overview');
    // the menu, then sign-out, all reached by Tab
    let reached = '';
    for (let i = 0; i < 8 && !reached.startsWith('Sign out'); i++) {
      await phone.keyboard.press('Tab');
      reached = (await phone.evaluate<string>('document.activeElement?.textContent')) ?? '';
    }
    expect(reached).toBe('Sign out (admin)');
    await phone.keyboard.press('Enter');
    await phone.waitForURL(`${h.url}/admin/sign-in`);
    await phone.goto(`${h.url}/admin`);
    expect(new URL(phone.url()).pathname).toBe('/admin/sign-in');
    await phone.close();
  }, 60_000);
});
