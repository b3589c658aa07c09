import { civilDate, dayNumber, daysInMonth, isValidDate, weekdayIndex } from './civil.ts';

/**
 * RRULE:FREQ=YEARLY for holidays: fixed dates (Christmas), nth weekdays
 * (BYMONTH=11;BYDAY=4TH, BYMONTH=5;BYDAY=-1MO), month days, INTERVAL, COUNT,
 * UNTIL. Other frequencies and BY-parts are refused with a reason, never
 * guessed.
 */

export interface YearlyRule {
  interval: number;
  count: number | null;
  /** Last day an occurrence may start on (inclusive). */
  until: number | null;
  byMonth: number[];
  byMonthDay: number[];
  byDay: Array<{ ord: number; weekday: number }>;
}

const DAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const SUPPORTED = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYMONTH', 'BYMONTHDAY', 'BYDAY', 'WKST']);
/** Rules older than this many cycles before the asked year are not walked. */
const MAX_CYCLES = 5000;

/** Parses an RRULE value; a string result is the reason it is not supported or not valid. */
export function parseYearlyRule(value: string, parseDay: (v: string) => number | null): YearlyRule | string {
  const parts = new Map<string, string>();
  for (const part of value.split(';')) {
    const [key, val] = part.split('=');
    if (!key || val === undefined) return `malformed RRULE part "${part}"`;
    parts.set(key.toUpperCase(), val.toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (freq !== 'YEARLY') return `RRULE FREQ=${freq ?? '(missing)'} is not supported; only FREQ=YEARLY`;
  for (const key of parts.keys()) if (!SUPPORTED.has(key)) return `RRULE part ${key} is not supported`;
  const interval = Number(parts.get('INTERVAL') ?? '1');
  if (!Number.isInteger(interval) || interval < 1) return 'RRULE INTERVAL must be a whole number of at least 1';
  const countText = parts.get('COUNT');
  const count = countText === undefined ? null : Number(countText);
  if (count !== null && (!Number.isInteger(count) || count < 1))
    return 'RRULE COUNT must be a whole number of at least 1';
  const untilText = parts.get('UNTIL');
  const until = untilText === undefined ? null : parseDay(untilText);
  if (untilText !== undefined && until === null) return `RRULE UNTIL=${untilText} is not a date`;
  const byMonth = numbers(parts.get('BYMONTH'), 1, 12);
  const byMonthDay = numbers(parts.get('BYMONTHDAY'), -31, 31);
  const byDay = weekdays(parts.get('BYDAY'));
  if (byMonth === null || byMonthDay === null || byMonthDay.includes(0))
    return 'RRULE BYMONTH or BYMONTHDAY is invalid';
  if (byDay === null) return `RRULE BYDAY=${parts.get('BYDAY')} is invalid`;
  if (byDay.length > 0 && byMonth.length === 0) return 'RRULE BYDAY without BYMONTH is not supported';
  if (byDay.some((d) => d.ord !== 0) && byMonthDay.length > 0) return 'RRULE BYDAY with an ordinal and BYMONTHDAY';
  return { interval, count, until, byMonth, byMonthDay, byDay };
}

function numbers(text: string | undefined, min: number, max: number): number[] | null {
  if (text === undefined) return [];
  const list = text.split(',').map(Number);
  return list.every((n) => Number.isInteger(n) && n >= min && n <= max) ? list : null;
}

function weekdays(text: string | undefined): Array<{ ord: number; weekday: number }> | null {
  if (text === undefined) return [];
  const out: Array<{ ord: number; weekday: number }> = [];
  for (const item of text.split(',')) {
    const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item);
    if (!m) return null;
    const ord = m[1] === undefined ? 0 : Number(m[1]);
    if (Math.abs(ord) > 5) return null;
    out.push({ ord, weekday: DAY_CODES.indexOf(m[2] as string) });
  }
  return out;
}

/** Start days of the rule's occurrences in `year`, in order; `start` is the event's DTSTART day. */
export function yearlyOccurrences(rule: YearlyRule, start: number, year: number): number[] {
  const first = civilDate(start);
  if (year < first.year || (year - first.year) % rule.interval !== 0) return [];
  if (rule.until !== null && dayNumber(year, 1, 1) > rule.until) return [];
  const inRange = (d: number) => d >= start && (rule.until === null || d <= rule.until);
  if (rule.count === null) return candidates(rule, first, year).filter(inRange);
  // COUNT numbers occurrences from the first year, so earlier cycles are counted
  let left = rule.count;
  const cycles = (year - first.year) / rule.interval;
  if (cycles > MAX_CYCLES) return [];
  for (let y = first.year; y < year; y += rule.interval) {
    left -= candidates(rule, first, y).filter(inRange).length;
    if (left <= 0) return [];
  }
  return candidates(rule, first, year).filter(inRange).slice(0, left);
}

function candidates(rule: YearlyRule, first: { month: number; day: number }, year: number): number[] {
  const months =
    rule.byMonth.length > 0
      ? rule.byMonth
      : rule.byMonthDay.length > 0
        ? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        : [first.month];
  const days: number[] = [];
  for (const month of months) {
    const length = daysInMonth(year, month);
    if (rule.byMonthDay.length > 0) {
      for (const md of rule.byMonthDay) {
        const day = md > 0 ? md : length + md + 1;
        if (day < 1 || day > length) continue;
        const num = dayNumber(year, month, day);
        if (rule.byDay.length === 0 || rule.byDay.some((d) => d.weekday === weekdayIndex(num))) days.push(num);
      }
    } else if (rule.byDay.length > 0) {
      for (const { ord, weekday } of rule.byDay) days.push(...nthWeekdays(year, month, length, ord, weekday));
    } else if (isValidDate(year, month, first.day)) {
      days.push(dayNumber(year, month, first.day));
    }
  }
  return [...new Set(days)].sort((a, b) => a - b);
}

function nthWeekdays(year: number, month: number, length: number, ord: number, weekday: number): number[] {
  const firstDay = dayNumber(year, month, 1);
  const firstMatch = firstDay + ((weekday - weekdayIndex(firstDay) + 7) % 7);
  const all: number[] = [];
  for (let d = firstMatch; d < firstDay + length; d += 7) all.push(d);
  if (ord === 0) return all;
  const pick = ord > 0 ? all[ord - 1] : all[all.length + ord];
  return pick === undefined ? [] : [pick];
}
