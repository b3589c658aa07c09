import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createCalendar } from '../../src/calendar/calendar.ts';
import { loadForDecision, newDecision, writeDecision } from '../../src/decide/write-decision.ts';
import { buildReport } from '../../src/metrics/report.ts';
import { reportHtml } from '../../src/metrics/report-html.ts';
import type { Outbound } from '../../src/outbound/outbound.ts';
import { policyFiles } from '../../src/settings/policy-schema.ts';
import { businessFile } from '../../src/settings/schema.ts';
import { createHarness, type Harness, MINUTE, policyConfig } from '../policies/support/harness.ts';
import { testSettings } from '../support/settings.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 0, day, hour, minute);
const calendar = createCalendar(
  businessFile.parse({
    name: 'Test Shop',
    timezone: 'Europe/London',
    hours: { tue: ['09:00-17:00'], wed: ['09:00-17:00'] },
  }),
);
const sla = {
  policies: [{ name: 'standard', firstResponse: '1h' }],
  warning: { before: '15m', notify: [] },
  escalation: [],
};
const ARTIFACTS = join(process.cwd(), '.tmp');

/** Two days of a small shop: questions the bot answers, complaints a person answers, CSAT answers. */
async function history(): Promise<void> {
  h = await createHarness({ at: at(6, 10), config: { sla } });
  let n = 0;
  for (const [day, text, agent, minutes, score] of [
    [6, 'how much is a loaf?', null, 0, null],
    [6, 'my bread was stale, complaint', 'ann', 20, 5],
    [6, 'the bread was stale again', 'ann', 45, 2],
    [7, 'how much is a cake?', null, 0, null],
    [7, 'stale loaf, I want a refund', 'bob', 10, 4],
  ] as const) {
    n++;
    h.clock.set(at(day, 10 + n));
    await h.send({ text, threadKey: `webchat:r${n}`, from: { kind: 'webchat', value: `r${n}`, name: `R ${n}` } });
    if (!agent) continue;
    const [c] = (await h.store.listConversations({ limit: 50 })).filter((x) => x.threadKey === `webchat:r${n}`);
    if (!c) throw new Error('no conversation');
    h.clock.set(at(day, 10 + n, minutes));
    await h.actions.reply(c.id, { agent, text: 'Sorry about that.' });
    await h.actions.resolve(c.id, agent);
    const code = score === 2 ? 'goodwill' : 'refunded';
    await h.store.recordResolution({ conversationId: c.id, at: h.clock.now(), code, agent, category: c.category });
    if (score !== null)
      await h.store.transaction(async (tx) => {
        const loaded = await loadForDecision(tx, c.id);
        if (!loaded) throw new Error('gone');
        const ctx = newDecision(testSettings(), h.clock.now(), loaded.conversation, loaded.contact);
        ctx.events.push({ type: 'csat', data: { score, flow: 'csat' } });
        await writeDecision(tx, ctx, { outbound: {} as Outbound });
      });
  }
}

const options = {
  from: at(6, 0),
  to: at(8, 0),
  now: at(8, 0),
  calendar,
  targets: policyFiles['targets.yaml'].parse({}),
  sla: policyFiles['sla.yaml'].parse(policyConfig().sla),
  complaints: ['complaint'],
};

describe('touchpoint report', () => {
  it('builds the series its charts draw: volume per day, first responses per channel, CSAT per day, complaints per week', async () => {
    await history();
    const r = await buildReport(h.store, { ...options, by: 'agent', dispositions: { refunded: 'Refund issued' } });
    expect(r.daily).toEqual([
      { day: '2026-01-06', conversations: 3, csatAnswers: 2, csatRate: 0.5 },
      { day: '2026-01-07', conversations: 2, csatAnswers: 1, csatRate: 1 },
    ]);
    expect(r.firstResponses).toEqual([
      { channel: 'webchat', minutes: 20 },
      { channel: 'webchat', minutes: 45 },
      { channel: 'webchat', minutes: 10 },
    ]);
    expect(r.complaints).toEqual([{ week: '2026-01-05', category: 'feedback', count: 3 }]);
    expect(r.dispositions).toEqual([
      { code: 'refunded', label: 'Refund issued', count: 2 },
      { code: 'goodwill', label: 'goodwill', count: 1 },
    ]);
    expect(r.groups.map((g) => g.key).sort()).toEqual(['(none)', 'ann', 'bob']);
    expect(r.scored.find((s) => s.id === 'first_response')).toMatchObject({
      label: 'First response (webchat)',
      target: 60 * MINUTE,
    });
  });

  it('writes one self-contained HTML file whose charts a real Chromium draws without fetching anything', async () => {
    await history();
    const html = await reportHtml(await buildReport(h.store, { ...options, by: 'agent' }), 'Test Shop');
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'report.html');
    writeFileSync(file, html);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const requests: string[] = [];
      page.on('request', (req) => {
        if (!req.url().startsWith('file:')) requests.push(req.url());
      });
      await page.goto(`file://${file}`);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      const charts = page.locator('figure svg');
      expect(await charts.count()).toBe(5);
      for (const id of ['volume', 'first-response', 'targets', 'csat', 'complaints']) {
        const box = await page.locator(`#chart-${id} svg`).boundingBox();
        expect(box?.width, id).toBeGreaterThan(200);
        // drawn marks, not an empty frame
        expect(
          await page
            .locator(
              `#chart-${id} svg .mark-rect path, #chart-${id} svg .mark-line path, #chart-${id} svg .mark-symbol path, #chart-${id} svg .mark-rule line`,
            )
            .count(),
          id,
        ).toBeGreaterThan(0);
      }
      expect(await page.locator('td.missed').count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
      await page.setViewportSize({ width: 390, height: 800 });
      await page.screenshot({ path: join(ARTIFACTS, 'report-phone.png'), fullPage: true });
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
