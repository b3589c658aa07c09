/**
 * The date words conditions may use, written as an owner would:
 * `today`, `now`, `tomorrow`, `2026-12-24`, each optionally `+ 3d`, `- 2h`,
 * `+ 2w` or `+ 3 business days`; and spans such as `3d` or `3 business days`
 * for `within`. Parsed here once, so the schema, `check` and the engine agree.
 */

export type SpanUnit = 'ms' | 'm' | 'h' | 'd' | 'w' | 'businessDays';

export interface Span {
  amount: number;
  unit: SpanUnit;
}

export interface DateExpr {
  base: 'today' | 'now' | 'tomorrow' | { date: string };
  shift: Span | null;
}

const SPAN = /^(\d{1,4})\s*(ms|m|min|minutes?|h|hours?|d|days?|w|weeks?|business\s+days?|bd)$/i;
const EXPR = /^(today|now|tomorrow|\d{4}-\d{2}-\d{2})(?:\s*([+-])\s*(.+))?$/i;

export const SPAN_HINT = 'a span such as 3d, 12h, 2w or 3 business days';
export const DATE_EXPR_HINT = 'today, now, tomorrow or a date (2026-12-24), optionally + or - a span: today + 3d';

function unitOf(word: string): SpanUnit {
  const w = word.toLowerCase().replace(/\s+/g, ' ');
  if (w === 'ms') return 'ms';
  if (w === 'm' || w.startsWith('min')) return 'm';
  if (w.startsWith('h')) return 'h';
  if (w.startsWith('w')) return 'w';
  if (w.startsWith('business') || w === 'bd') return 'businessDays';
  return 'd';
}

export function parseSpan(text: string): Span | null {
  const m = SPAN.exec(text.trim());
  return m ? { amount: Number(m[1]), unit: unitOf(m[2] as string) } : null;
}

export function parseDateExpr(text: string): DateExpr | null {
  const m = EXPR.exec(text.trim());
  if (!m) return null;
  const word = (m[1] as string).toLowerCase();
  const base = word === 'today' || word === 'now' || word === 'tomorrow' ? word : { date: m[1] as string };
  if (typeof base === 'object' && Number.isNaN(Date.parse(`${base.date}T00:00:00Z`))) return null;
  if (m[2] === undefined) return { base, shift: null };
  const span = parseSpan(m[3] as string);
  if (!span) return null;
  return { base, shift: m[2] === '-' ? { ...span, amount: -span.amount } : span };
}
