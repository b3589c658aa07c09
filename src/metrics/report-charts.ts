import type { TopLevelSpec } from 'vega-lite';
import type { Report } from './report.ts';

/**
 * The report's charts as SVG, rendered here with Vega-Lite (no browser, no
 * script in the page): volume over time, first response times per channel,
 * KPIs against their targets, CSAT over time, complaints per week.
 */

export interface Chart {
  id: string;
  title: string;
  svg: string;
}

const WIDTH = 560;
const HEIGHT = 220;

/** One Vega-Lite spec as SVG (the dashboard's sparklines use it too). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on the first chart: Vega is large, and once vega-lite is loaded discord.js no longer
  // loads in the same process (its bundled inspect fails at load), so it must never load at start-up.
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const base = { width: WIDTH, height: HEIGHT, background: 'white', config: { font: 'system-ui, sans-serif' } } as const;

export function chartSpecs(r: Report): { id: string; title: string; spec: TopLevelSpec }[] {
  const shares = r.scored.filter((s) => s.unit === 'share' && s.actual !== null);
  return [
    {
      id: 'volume',
      title: 'Conversations opened per day',
      spec: {
        ...base,
        data: { values: r.daily },
        mark: { type: 'bar', color: '#3b6ea8' },
        encoding: {
          x: { field: 'day', type: 'ordinal', title: null },
          y: { field: 'conversations', type: 'quantitative', title: 'conversations' },
        },
      },
    },
    {
      id: 'first-response',
      title: 'First response by a person, business minutes, per channel',
      spec: {
        ...base,
        data: { values: r.firstResponses },
        mark: { type: 'boxplot', extent: 'min-max' },
        encoding: {
          x: { field: 'channel', type: 'nominal', title: null },
          y: { field: 'minutes', type: 'quantitative', title: 'minutes' },
        },
      },
    },
    {
      id: 'targets',
      title: 'KPIs against their targets',
      spec: {
        ...base,
        data: {
          values: shares.map((s) => ({
            kpi: s.label,
            actual: s.actual,
            target: s.target,
            met: s.met ? 'met' : 'missed',
          })),
        },
        layer: [
          {
            mark: 'bar',
            encoding: {
              y: { field: 'kpi', type: 'nominal', title: null },
              x: {
                field: 'actual',
                type: 'quantitative',
                title: 'share',
                axis: { format: '%' },
                scale: { domain: [0, 1] },
              },
              color: {
                field: 'met',
                type: 'nominal',
                scale: { domain: ['met', 'missed'], range: ['#2e7d4f', '#b3261e'] },
                title: null,
              },
            },
          },
          {
            mark: { type: 'tick', color: 'black', thickness: 3 },
            encoding: { y: { field: 'kpi', type: 'nominal' }, x: { field: 'target', type: 'quantitative' } },
          },
        ],
      },
    },
    {
      id: 'csat',
      title: 'CSAT (share of 4–5 of 5) per day',
      spec: {
        ...base,
        data: { values: r.daily.filter((d) => d.csatRate !== null) },
        mark: { type: 'line', point: true, color: '#7a4fa3' },
        encoding: {
          x: { field: 'day', type: 'ordinal', title: null },
          y: {
            field: 'csatRate',
            type: 'quantitative',
            title: 'CSAT',
            axis: { format: '%' },
            scale: { domain: [0, 1] },
          },
        },
      },
    },
    {
      id: 'complaints',
      title: 'Complaints per week, by category',
      spec: {
        ...base,
        data: { values: r.complaints },
        mark: 'bar',
        encoding: {
          x: { field: 'week', type: 'ordinal', title: 'week of' },
          y: { field: 'count', type: 'quantitative', title: 'complaints' },
          color: { field: 'category', type: 'nominal' },
        },
      },
    },
  ];
}

export async function renderCharts(r: Report): Promise<Chart[]> {
  const out: Chart[] = [];
  for (const c of chartSpecs(r)) out.push({ id: c.id, title: c.title, svg: await renderSvg(c.spec) });
  return out;
}
