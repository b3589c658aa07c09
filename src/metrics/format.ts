import type { Scored } from './targets.ts';

/** How KPI values read to people, in the report and on the dashboard. */

export function duration(ms: number | null): string {
  if (ms === null) return '–';
  const m = ms / 60_000;
  if (m < 1) return `${Math.round(ms / 1000)} s`;
  if (m < 120) return `${Math.round(m)} min`;
  const h = m / 60;
  return h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} d`;
}

export function share(x: number | null): string {
  return x === null ? '–' : `${(x * 100).toFixed(1)} %`;
}

export function scoredValue(s: Scored, which: 'actual' | 'target'): string {
  const v = which === 'actual' ? s.actual : s.target;
  const shown = s.unit === 'share' ? share(v) : duration(v);
  return which === 'target' ? `${s.direction === 'at least' ? '≥' : '≤'} ${shown}` : shown;
}

export function verdict(s: Scored): string {
  return s.met === null ? 'no data' : s.met ? 'met' : 'missed';
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}
