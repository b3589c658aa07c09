import { duration, escapeHtml as e, scoredValue, share, verdict } from './format.ts';
import { DIMENSIONS, type Kpis } from './kpis.ts';
import type { Report } from './report.ts';
import { renderCharts } from './report-charts.ts';

/** The report as one self-contained HTML file: inline CSS, charts as inline SVG, no script, nothing fetched. */
export async function reportHtml(r: Report, business: string): Promise<string> {
  const charts = await renderCharts(r);
  const period = `${new Date(r.from).toISOString().slice(0, 16).replace('T', ' ')} – ${new Date(r.to).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const k = r.total;
  const rows = r.scored
    .map(
      (s) =>
        `<tr><th scope="row">${e(s.label)}</th><td>${e(scoredValue(s, 'actual'))}</td><td>${e(scoredValue(s, 'target'))}</td><td class="${verdict(s).replace(' ', '-')}">${verdict(s)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(business)} — support report</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 62rem; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; margin-bottom: 0; } .period { color: #555; margin-top: .2rem; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; width: 100%; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; }
td.met { color: #2e7d4f; font-weight: 600; } td.missed { color: #b3261e; font-weight: 600; } td.no-data { color: #777; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
figure { margin: 0; border: 1px solid #ddd; border-radius: 6px; padding: .5rem; overflow-x: auto; }
figcaption { font-weight: 600; margin-bottom: .3rem; } svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>${e(business)} — support report</h1>
<p class="period">${e(period)}</p>
<h2>KPIs against targets</h2>
<table><thead><tr><th scope="col">KPI</th><th scope="col">actual</th><th scope="col">target</th><th scope="col"></th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>The period in figures</h2>
${figures(k)}
<h2>Charts</h2>
<div class="charts">
${charts.map((c) => `<figure id="chart-${c.id}"><figcaption>${e(c.title)}</figcaption>${c.svg}</figure>`).join('\n')}
</div>
${r.by ? breakdown(r) : ''}
</body>
</html>
`;
}

function figures(k: Kpis): string {
  const line = (label: string, wall: number | null, business: number | null, n: number) =>
    `<tr><th scope="row">${label}</th><td>${duration(wall)}</td><td>${duration(business)}</td><td>${n}</td></tr>`;
  return `<table><thead><tr><th scope="col">average</th><th scope="col">wall time</th><th scope="col">business time</th><th scope="col">count</th></tr></thead><tbody>
${line('First response, bot', k.firstResponse.bot.wall.avgMs, k.firstResponse.bot.business.avgMs, k.firstResponse.bot.count)}
${line('First response, person', k.firstResponse.agent.wall.avgMs, k.firstResponse.agent.business.avgMs, k.firstResponse.agent.count)}
${line('Next response', k.nextResponse.wall.avgMs, k.nextResponse.business.avgMs, k.nextResponse.count)}
${line('Resolution', k.resolution.wall.avgMs, k.resolution.business.avgMs, k.resolution.count)}
${line('Backlog age', k.backlog.age.wall.avgMs, k.backlog.age.business.avgMs, k.backlog.open)}
</tbody></table>
<p>Volume: ${k.volume.conversations} conversations opened · CSAT answers: ${k.csat.of} (average ${k.csat.avgScore === null ? '–' : k.csat.avgScore.toFixed(2)}) · resolutions: ${k.reopenRate.of} · open backlog: ${k.backlog.open}, ${share(k.backlog.beyondSla.rate)} beyond SLA</p>`;
}

function breakdown(r: Report): string {
  const by = r.by ?? DIMENSIONS[0];
  const rows = r.groups
    .map(
      (g) =>
        `<tr><th scope="row">${e(g.key)}</th><td>${g.kpis.volume.conversations}</td><td>${duration(g.kpis.firstResponse.agent.business.avgMs)}</td><td>${share(g.kpis.fcr.rate)}</td><td>${share(g.kpis.csat.rate)}</td><td>${duration(g.kpis.handleTime.avgMs)}</td><td>${share(g.kpis.slaAttainment.rate)}</td></tr>`,
    )
    .join('\n');
  return `<h2>By ${e(by)}</h2>
<table><thead><tr><th scope="col">${e(by)}</th><th scope="col">opened</th><th scope="col">FRT (business)</th><th scope="col">FCR</th><th scope="col">CSAT</th><th scope="col">AHT</th><th scope="col">SLA attainment</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}
