import { badRequest } from '../errors.ts';
import { escapeHtml as e } from '../http/html.ts';
import { duration, scoredValue, share, verdict } from '../metrics/format.ts';
import { DIMENSIONS, type Dimension } from '../metrics/kpis.ts';
import { buildReport, type Report } from '../metrics/report.ts';
import { renderCharts } from '../metrics/report-charts.ts';
import type { DashboardDeps } from './deps.ts';
import type { PageHandler } from './guard.ts';
import { htmlResponse, shell, time } from './layout.ts';
import { createMemo } from './memo.ts';

const DAY = 86_400_000;
const MAX_DAYS = 366;
const KEEP_MS = 60_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

function parseDay(value: string, name: string): number {
  const t = DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(t)) throw badRequest(`${name} must be a date such as 2026-11-30, not "${value}"`);
  return t;
}

const table = (label: string, head: string[], rows: (string | number)[][]) =>
  `<div class="table-wrap" role="region" aria-label="${label}" tabindex="0"><table><caption>${label}</caption><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${e(String(c))}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;

/** The charts' figures as text, for screen readers and for copying. */
function chartTables(r: Report): string {
  const perChannel = Map.groupBy(r.firstResponses, (f) => f.channel);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;
  return `<details><summary>The charts as tables</summary>
${table(
  'Per day',
  ['day', 'opened', 'CSAT answers', 'CSAT'],
  r.daily.map((d) => [d.day, d.conversations, d.csatAnswers, share(d.csatRate)]),
)}
${table(
  'First response by a person, per channel',
  ['channel', 'responses', 'median (business minutes)'],
  [...perChannel].map(([c, fs]) => [c, fs.length, Math.round(median(fs.map((f) => f.minutes)))]),
)}
${table(
  'Complaints per week',
  ['week of', 'category', 'complaints'],
  r.complaints.map((c) => [c.week, c.category, c.count]),
)}
</details>`;
}

/** GET /admin/reports?since=&until=[&by=]: the report's KPIs, charts and breakdown for any period of whole UTC days. */
export function reportsPage(d: DashboardDeps): PageHandler {
  const memo = createMemo<string>(d.clock, KEEP_MS);
  return async (req, session) => {
    const now = d.clock.now();
    const since = req.query.get('since') || dayOf(now - 6 * DAY);
    const until = req.query.get('until') || dayOf(now);
    const byParam = req.query.get('by') || '';
    const from = parseDay(since, 'since');
    const to = parseDay(until, 'until') + DAY;
    if (to <= from) throw badRequest('until must be on or after since');
    if (to - from > MAX_DAYS * DAY) throw badRequest(`a report covers at most ${MAX_DAYS} days`);
    if (byParam && !DIMENSIONS.includes(byParam as Dimension))
      throw badRequest(`by must be one of ${DIMENSIONS.join(', ')}`);
    const by = byParam ? (byParam as Dimension) : undefined;
    const { value, at } = await memo(`${from}|${to}|${byParam}`, () => reportBody(d, { since, until, from, to, by }));
    const body = `${value}\n<p>Figures as of ${e(time(at, d.business.timezone))}; they are recomputed at most once a minute.</p>`;
    return htmlResponse(
      200,
      shell({ business: d.business.name, title: 'Reports', section: '/admin/reports', session, body }),
    );
  };
}

async function reportBody(
  d: DashboardDeps,
  p: { since: string; until: string; from: number; to: number; by: Dimension | undefined },
): Promise<string> {
  const { since, until, from, to, by } = p;
  const byParam = by ?? '';
  const now = d.clock.now();
  const report = await buildReport(d.store, {
    from,
    to: Math.min(to, Math.max(now, from + 1)),
    now,
    ...(by ? { by } : {}),
    calendar: d.calendar,
    targets: d.targets,
    sla: d.sla,
    complaints: d.complaints,
  });
  const charts = await renderCharts(report);
  const k = report.total;
  const options = ['', ...DIMENSIONS]
    .map((x) => `<option value="${x}"${x === byParam ? ' selected' : ''}>${x || 'no breakdown'}</option>`)
    .join('');
  const rows = report.scored
    .map((s) => {
      const v = verdict(s);
      return `<tr><th scope="row">${e(s.label)}</th><td>${e(scoredValue(s, 'actual'))}</td><td>${e(scoredValue(s, 'target'))}</td><td class="verdict-${v.replace(' ', '-')}">${v}</td></tr>`;
    })
    .join('\n');
  const groups = report.groups
    .map(
      (g) =>
        `<tr><th scope="row">${e(g.key)}</th><td>${g.kpis.volume.conversations}</td><td>${duration(g.kpis.firstResponse.agent.business.avgMs)}</td><td>${share(g.kpis.fcr.rate)}</td><td>${share(g.kpis.csat.rate)}</td><td>${duration(g.kpis.handleTime.avgMs)}</td><td>${share(g.kpis.slaAttainment.rate)}</td></tr>`,
    )
    .join('\n');
  return `<form class="filters" method="get" action="/admin/reports">
<label for="since">From (UTC day)<input id="since" name="since" type="date" value="${e(since)}" required></label>
<label for="until">To (UTC day, included)<input id="until" name="until" type="date" value="${e(until)}" required></label>
<label for="by">Break down by<select id="by" name="by">${options}</select></label>
<button type="submit">Show</button>
</form>
<p>${k.volume.conversations} conversations opened · ${k.resolution.count} resolved · ${k.csat.of} CSAT answers · open backlog ${k.backlog.open}</p>
<h2>KPIs against targets</h2>
<div class="table-wrap" role="region" aria-label="KPIs against targets" tabindex="0"><table><thead><tr><th scope="col">KPI</th><th scope="col">actual</th><th scope="col">target</th><th scope="col">verdict</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
<h2>Charts</h2>
<div class="charts">
${charts.map((c) => `<figure id="chart-${c.id}"><figcaption>${e(c.title)}</figcaption>${c.svg.replace('<svg ', '<svg aria-hidden="true" focusable="false" ')}</figure>`).join('\n')}
</div>
${chartTables(report)}
${
  by
    ? `<h2>By ${e(by)}</h2>
<div class="table-wrap" role="region" aria-label="KPIs by ${e(by)}" tabindex="0"><table><thead><tr><th scope="col">${e(by)}</th><th scope="col">opened</th><th scope="col">first response (business)</th><th scope="col">FCR</th><th scope="col">CSAT</th><th scope="col">AHT</th><th scope="col">SLA attainment</th></tr></thead>
<tbody>
${groups}
</tbody></table></div>`
    : ''
}`;
}
