import { renderSvg } from '../metrics/report-charts.ts';

export interface Point {
  day: string;
  value: number | null;
}

/**
 * A tile's trend as a small SVG line drawn by Vega-Lite on the server. The
 * picture is hidden from screen readers; a hidden sentence gives them the
 * values instead.
 */
export async function sparkline(points: Point[], color: string, format: (v: number) => string): Promise<string> {
  const values = points.filter((p) => p.value !== null);
  if (values.length < 2) return '';
  const svg = await renderSvg({
    width: 200,
    height: 36,
    background: 'transparent',
    padding: 2,
    data: { values },
    mark: { type: 'line', color, strokeWidth: 2, point: { size: 12, color } },
    encoding: {
      x: { field: 'day', type: 'ordinal', axis: null },
      y: { field: 'value', type: 'quantitative', axis: null, scale: { zero: false } },
    },
    config: { view: { stroke: null } },
  });
  const said = values.map((p) => `${p.day.slice(5)} ${format(p.value as number)}`).join(', ');
  return `${svg.replace('<svg ', '<svg aria-hidden="true" focusable="false" ')}<span class="visually-hidden">Per day: ${said}.</span>`;
}
