import { badRequest } from '../errors.ts';
import { escapeHtml as e } from '../http/html.ts';
import { duration, scoredValue, share, verdict } from '../metrics/format.ts';
import { storeClosedDays } from '../metrics/kpi-load.ts';
import { computeKpis, groupInputs, loadInputs } from '../metrics/kpis.ts';
import { againstTargets, type Scored } from '../metrics/targets.ts';
import type { DashboardDeps } from './deps.ts';
import type { PageHandler } from './guard.ts';
import { htmlResponse, shell, time } from './layout.ts';
import { createMemo } from './memo.ts';
import { type Point, sparkline } from './sparkline.ts';

const DAY = 86_400_000;
const PERIODS = [1, 7, 30, 90];
const KEEP_MS = 60_000;
type Inputs = Awaited<ReturnType<typeof loadInputs>>;

const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The period's cells split by their day (the backlog is now, not per day). */
function byDay(input: Inputs, days: string[]): Map<string, Inputs> {
  const out = new Map(days.map((d) => [d, { cells: [], backlog: [] } as Inputs]));
  for (const c of input.cells) out.get(dayOf(c.day))?.cells.push(c);
  return out;
}

/** Every KPI with a target, per day, by the same formulas as the period's. */
function scoredByDay(d: DashboardDeps, perDay: Map<string, Inputs>, now: number): Map<string, Point[]> {
  const series = new Map<string, Point[]>();
  const add = (key: string, day: string, value: number | null) => {
    const s = series.get(key) ?? [];
    s.push({ day, value });
    series.set(key, s);
  };
  for (const [day, input] of perDay) {
    // A day is judged at its end (it holds no backlog), so business time is counted over that day only.
    const end = Math.min(now, Date.parse(`${day}T00:00:00Z`) + DAY);
    const k = computeKpis(input, end, d.calendar);
    add('volume', day, k.volume.conversations);
    for (const s of againstTargets(k, d.targets, d.sla)) add(s.id, day, s.actual);
    for (const [channel, own] of groupInputs(input, 'channel'))
      for (const s of againstTargets(computeKpis(own, end, d.calendar), d.targets, d.sla, channel))
        if (s.id === 'first_response') add(`first_response:${channel}`, day, s.actual);
  }
  return series;
}

async function tile(s: Scored, points: Point[] | undefined): Promise<string> {
  const v = verdict(s);
  const format = (v: number) => (s.unit === 'share' ? share(v) : duration(v));
  const trend = points ? await sparkline(points, s.met === false ? '#b3261e' : '#3b6ea8', format) : '';
  return `<li class="tile ${v.replace(' ', '-')}">
<h2>${e(s.label)}</h2>
<p class="actual">${e(scoredValue(s, 'actual'))}</p>
<p class="target">target ${e(scoredValue(s, 'target'))} · <span class="verdict-${v.replace(' ', '-')}">${v}</span></p>
${trend}</li>`;
}

/**
 * GET /admin: KPI tiles against their targets, each with its trend per day; figures kept for a minute.
 * The closed days of the longest period are stored in the background from the start, so no first look waits for them.
 */
export function overviewPage(d: DashboardDeps): PageHandler {
  const memo = createMemo<string>(d.clock, KEEP_MS);
  storeClosedDays(d.store, d.clock.now(), Math.max(...PERIODS)).catch((err: unknown) =>
    d.log.warn({ err }, 'KPI days could not be stored ahead'),
  );
  return async (req, session) => {
    const days = Number(req.query.get('days') ?? 7);
    if (!PERIODS.includes(days)) throw badRequest(`days must be one of ${PERIODS.join(', ')}`);
    const { value, at } = await memo(String(days), () => overview(d, days));
    const body = `${value}\n<p>Figures as of ${e(time(at, d.business.timezone))}; they are recomputed at most once a minute.</p>`;
    return htmlResponse(200, shell({ business: d.business.name, title: 'Overview', section: '/admin', session, body }));
  };
}

async function overview(d: DashboardDeps, days: number): Promise<string> {
  const now = d.clock.now();
  const from = now - days * DAY;
  const input = await loadInputs(d.store, { from, to: now, now });
  const total = computeKpis(input, now, d.calendar);
  const scored = againstTargets(total, d.targets, d.sla).map((s) => ({ s, key: s.id }));
  for (const [channel, own] of groupInputs(input, 'channel'))
    for (const s of againstTargets(computeKpis(own, now, d.calendar), d.targets, d.sla, channel))
      if (s.id === 'first_response') scored.push({ s, key: `first_response:${channel}` });
  const dayList: string[] = [];
  for (let t = from; t < now + 1; t += DAY) dayList.push(dayOf(t));
  if (dayList.at(-1) !== dayOf(now)) dayList.push(dayOf(now));
  const series = days > 1 ? scoredByDay(d, byDay(input, dayList), now) : new Map<string, Point[]>();
  const tiles: string[] = [];
  for (const { s, key } of scored) tiles.push(await tile(s, series.get(key)));
  const volumeTrend = series.get('volume');
  const period = PERIODS.map(
    (p) =>
      `<option value="${p}"${p === days ? ' selected' : ''}>${p === 1 ? 'last 24 hours' : `last ${p} days`}</option>`,
  ).join('');
  return `<form class="filters" method="get" action="/admin">
<label for="days">Period<select id="days" name="days">${period}</select></label>
<button type="submit">Show</button>
</form>
<h2>Activity</h2>
<ul class="tiles">
<li class="tile"><h2>Conversations opened</h2><p class="actual">${total.volume.conversations}</p><p class="target">in the period</p>${volumeTrend ? await sparkline(volumeTrend, '#3b6ea8', String) : ''}</li>
<li class="tile"><h2>Open backlog</h2><p class="actual">${total.backlog.open}</p><p class="target">average age ${e(duration(total.backlog.age.wall.avgMs))}</p></li>
<li class="tile"><h2>First response by a person</h2><p class="actual">${e(duration(total.firstResponse.agent.business.avgMs))}</p><p class="target">business time · ${total.firstResponse.agent.count} conversations</p></li>
<li class="tile"><h2>Resolution time</h2><p class="actual">${e(duration(total.resolution.business.avgMs))}</p><p class="target">business time · ${total.resolution.count} resolved</p></li>
</ul>
<h2>Against targets</h2>
<p>Targets come from <code>config/targets.yaml</code> and <code>config/sla.yaml</code>; each line shows one value per day.</p>
<ul class="tiles" id="kpi-tiles">
${tiles.join('\n')}
</ul>`;
}
