import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfOf, type Harness, NOW, signIn, startDashboard, TOKEN } from './harness.ts';

const SHOTS = '.tmp/dashboard';
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const DAY = 86_400_000;
const RUBRIC = ['greeting', 'identity check', 'accuracy', 'tone', 'SOP followed', 'resolution'];

async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axeSource });
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run: (o: unknown) => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
      }
    ).axe;
    const r = await axe.run({ resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
  });
}

/**
 * The dashboard's QA page in real Chromium: this week's samples with their
 * conversations, a review scored through the form (labelled, keyboard-submitted,
 * CSRF-checked), and the agent's average shown; axe-core finds nothing.
 */
describe('QA reviews on the dashboard', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startDashboard();
    // bob's sample of this week (Ann's email), cat's, and one of bob's three weeks ago, scored 3 throughout
    await h.store.transaction(async (tx) => {
      await tx.addQaSamples([
        { id: 'qa-bob-now', round: '2026-W48', agent: 'bob', conversationId: h.ann.email, sampledAt: NOW - DAY },
        { id: 'qa-cat-now', round: '2026-W48', agent: 'cat', conversationId: h.ann.sms, sampledAt: NOW - DAY },
        { id: 'qa-bob-old', round: '2026-W45', agent: 'bob', conversationId: h.ann.sms, sampledAt: NOW - 21 * DAY },
      ]);
      await tx.scoreQaReview(
        'qa-bob-old',
        { scores: Object.fromEntries(RUBRIC.map((i) => [i, 3])), comment: null, by: 'admin' },
        NOW - 20 * DAY,
      );
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('lists this week’s samples with their conversations and whether they were scored', async () => {
    await page.goto(`${h.url}/admin/qa`);
    await page.getByLabel('Access token').fill(TOKEN);
    await page.getByLabel('Access token').press('Enter');
    await page.waitForURL(`${h.url}/admin/qa`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('QA');
    const rows = page.locator('#qa-samples tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await page.locator('#qa-qa-bob-now').textContent()).toContain('Not scored');
    await page
      .locator('#qa-qa-bob-now')
      .getByRole('link', { name: /email conversation/ })
      .click();
    await page.getByRole('heading', { name: 'Ann Baker', level: 1 }).waitFor();
    await page.goBack();
    // bob: one of two scored, average 3
    expect(await page.locator('#qa-agents tbody tr').first().textContent()).toMatch(/^bob213\.00/);
    await page.screenshot({ path: `${SHOTS}/qa.png`, fullPage: true });
    expect(await violations(page)).toEqual([]);
  }, 60_000);

  it('scores a sample from the form and shows it scored, with the agent’s new average', async () => {
    await page
      .locator('#qa-qa-bob-now')
      .getByRole('link', { name: /^Score/ })
      .click();
    await page.getByRole('heading', { name: 'Score QA review qa-bob-now' }).waitFor();
    expect(await violations(page)).toEqual([]);
    const scores: Record<string, number> = {
      greeting: 5,
      'identity check': 5,
      accuracy: 5,
      tone: 4,
      'SOP followed': 4,
      resolution: 4,
    };
    for (const [item, score] of Object.entries(scores))
      await page.getByLabel(item, { exact: true }).selectOption(String(score));
    await page.getByLabel('Comment (for the agent and their lead)').fill('Clear and kind');
    await page.screenshot({ path: `${SHOTS}/qa-score.png`, fullPage: true });
    // sent from the keyboard
    await page.getByRole('button', { name: 'Save score' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Scores saved for review qa-bob-now' }).waitFor();
    expect(await page.locator('#qa-qa-bob-now').textContent()).toContain('Scored by admin: 27 of 30');
    // bob: 2 of 2 scored; (18 + 27) / 12 = 3.75
    expect(await page.locator('#qa-agents tbody tr').first().textContent()).toMatch(/^bob223\.75/);
    const stored = await h.store.transaction((tx) => tx.getQaReview('qa-bob-now'));
    expect(stored).toMatchObject({ scores, comment: 'Clear and kind', scoredBy: 'admin' });
    expect(await h.store.listAudit({ action: 'qa.score' })).toMatchObject([{ via: 'dashboard', actorId: 'admin' }]);
    await page.screenshot({ path: `${SHOTS}/qa-scored.png`, fullPage: true });
  }, 60_000);

  it('refuses a score without the form’s CSRF token, one missing a rubric item, and one without a session', async () => {
    const cookie = await signIn(h.url);
    const post = (body: Record<string, string>, withCookie = true) =>
      fetch(`${h.url}/admin/qa/qa-cat-now/score`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(withCookie ? { cookie } : {}) },
        body: new URLSearchParams(body),
      });
    const all = Object.fromEntries(RUBRIC.map((i) => [`score:${i}`, '4']));
    expect((await post(all)).status).toBe(403);
    expect((await post(all, false)).status).toBe(401);
    const csrf = await csrfOf(h.url, cookie, '/admin/qa');
    const partial = await post({ _csrf: csrf, 'score:greeting': '4' });
    expect(partial.status).toBe(400);
    expect(await partial.text()).toContain('missing &quot;identity check&quot;');
    expect((await h.store.transaction((tx) => tx.getQaReview('qa-cat-now')))?.scores).toBeNull();
    expect((await post({ _csrf: csrf, ...all })).status).toBe(303);
    expect((await h.store.transaction((tx) => tx.getQaReview('qa-cat-now')))?.scoredBy).toBe('admin');
  }, 60_000);
});
