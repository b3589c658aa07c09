import type { BusinessCalendar } from '../calendar/calendar.ts';
import { MS_PER_DAY } from '../calendar/civil.ts';
import { instantOf, localAt } from '../calendar/zone.ts';
import type { ValueTest } from '../settings/condition-schema.ts';
import { type DateExpr, parseDateExpr, parseSpan, type Span } from '../settings/date-expr.ts';

/**
 * Dates in conditions and variables: a date answer (`2026-12-19`) compared by
 * day in the contact's timezone, a time (`2026-12-19T15:00:00Z`) by instant;
 * business days counted on the business calendar (days it opens at all).
 */

export interface Clock {
  now: number;
  /** The contact's timezone, else the business's: what "today" means to the customer. */
  timeZone: string;
  calendar: BusinessCalendar;
  channel?: string | undefined;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
/** Business days are counted this far ahead at most (a year and a bit). */
const MAX_SCAN = 400;

export const isDateValue = (v: unknown): v is string => typeof v === 'string' && DATE.test(v);
export const isTimeValue = (v: unknown): v is string => typeof v === 'string' && TIME.test(v);

export function dayOf(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY);
}

export const todayOf = (clock: Clock): number => localAt(clock.timeZone, clock.now).day;

/** Whether the business opens at all on this local day (its own timezone). */
export function isOpenOn(clock: Clock, day: number): boolean {
  const tz = clock.calendar.timeZone;
  const from = instantOf(tz, day, 0, 'earliest');
  const to = instantOf(tz, day + 1, 0, 'earliest');
  return clock.calendar.openIntervals(from, to, clock.channel).length > 0;
}

/** Opening days after today up to and including `day` (Monday to Thursday, open every day: 3). */
export function businessDaysUntil(clock: Clock, day: number): number {
  const today = todayOf(clock);
  const sign = day < today ? -1 : 1;
  const [from, to] = day < today ? [day, today] : [today, day];
  let n = 0;
  for (let d = from + 1; d <= Math.min(to, from + MAX_SCAN); d++) if (isOpenOn(clock, d)) n++;
  return sign * n;
}

/** The day `n` opening days after `day` (or before, for negative n). */
function addBusinessDays(clock: Clock, day: number, n: number): number {
  const step = n < 0 ? -1 : 1;
  let left = Math.abs(n);
  let d = day;
  for (let i = 0; left > 0 && i < MAX_SCAN; i++) {
    d += step;
    if (isOpenOn(clock, d)) left--;
  }
  return d;
}

const SPAN_MS: Record<Exclude<Span['unit'], 'businessDays'>, number> = {
  ms: 1,
  m: 60_000,
  h: 3_600_000,
  d: MS_PER_DAY,
  w: 7 * MS_PER_DAY,
};

function shiftDay(clock: Clock, day: number, span: Span): number {
  if (span.unit === 'businessDays') return addBusinessDays(clock, day, span.amount);
  return day + Math.trunc((span.amount * SPAN_MS[span.unit]) / MS_PER_DAY);
}

function shiftInstant(clock: Clock, at: number, span: Span): number {
  if (span.unit !== 'businessDays') return at + span.amount * SPAN_MS[span.unit];
  const { day, minute } = localAt(clock.timeZone, at);
  return instantOf(clock.timeZone, addBusinessDays(clock, day, span.amount), minute, 'earliest');
}

/** The expression as a day (to compare a date with) or an instant (to compare a time with). */
function resolve(expr: DateExpr, clock: Clock, as: 'day' | 'instant'): number {
  const today = todayOf(clock);
  let day: number;
  let at: number;
  if (expr.base === 'now') {
    at = clock.now;
    day = today;
  } else {
    day = typeof expr.base === 'object' ? dayOf(expr.base.date) : today + (expr.base === 'tomorrow' ? 1 : 0);
    at = instantOf(clock.timeZone, day, 0, 'earliest');
  }
  if (as === 'day') return expr.shift ? shiftDay(clock, day, expr.shift) : day;
  return expr.shift ? shiftInstant(clock, at, expr.shift) : at;
}

/** The date tests of a condition (`within`, `before`, `after`); true when it has none. */
export function dateTestHolds(test: ValueTest, actual: unknown, clock: Clock): boolean {
  if (test.within === undefined && test.before === undefined && test.after === undefined) return true;
  const isDate = isDateValue(actual);
  if (!isDate && !isTimeValue(actual)) return false;
  const as = isDate ? 'day' : 'instant';
  const value = isDate ? dayOf(actual) : Date.parse(actual as string);
  if (Number.isNaN(value)) return false;
  if (test.within !== undefined) {
    const span = parseSpan(test.within);
    if (!span) return false;
    const start = as === 'day' ? todayOf(clock) : clock.now;
    const end = as === 'day' ? shiftDay(clock, start, span) : shiftInstant(clock, start, span);
    if (!(value >= start && value < end)) return false;
  }
  for (const [key, later] of [
    ['before', false],
    ['after', true],
  ] as const) {
    const text = test[key];
    if (text === undefined) continue;
    const expr = parseDateExpr(text);
    if (!expr) return false;
    const bound = resolve(expr, clock, as);
    if (later ? !(value > bound) : !(value < bound)) return false;
  }
  return true;
}
