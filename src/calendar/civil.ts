/**
 * Calendar arithmetic on local dates, without any timezone: a date is a day
 * number (days since 1970-01-01 in the proleptic Gregorian calendar), so
 * "the next day" is `day + 1` and weekdays are a modulo.
 */

export const MS_PER_DAY = 86_400_000;
export const MINUTES_PER_DAY = 1440;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

export function civilDate(dayNum: number): CivilDate {
  const d = new Date(dayNum * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
export function weekdayIndex(dayNum: number): number {
  return (((dayNum + 3) % 7) + 7) % 7;
}

export function weekdayOf(dayNum: number): Weekday {
  return WEEKDAYS[weekdayIndex(dayNum)] as Weekday;
}

export function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `2026-12-25` → day number; null when it is not a real date. */
export function parseIsoDate(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isValidDate(y, mo, d) ? dayNumber(y, mo, d) : null;
}

export function formatIsoDate(dayNum: number): string {
  const { year, month, day } = civilDate(dayNum);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** `09:30` → 570; `24:00` → 1440; null when malformed. */
export function parseClock(text: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (h === 24 && min === 0) return MINUTES_PER_DAY;
  return h < 24 && min < 60 ? h * 60 + min : null;
}

/** `09:00-17:30` → [540, 1050]; null when malformed or not increasing. */
export function parseSlot(text: string): [number, number] | null {
  const [from, to, extra] = text.split('-');
  if (from === undefined || to === undefined || extra !== undefined) return null;
  const start = parseClock(from);
  const end = parseClock(to);
  if (start === null || end === null || start === MINUTES_PER_DAY || end <= start) return null;
  return [start, end];
}

/** A local date with a minute of day: `2026-12-24` (midnight) or `2026-12-24 14:30` / `2026-12-24T14:30`. */
export function parseLocalDateTime(text: string): { day: number; minute: number; dateOnly: boolean } | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?$/.exec(text);
  if (!m) return null;
  const day = parseIsoDate(m[1] as string);
  if (day === null) return null;
  if (m[2] === undefined) return { day, minute: 0, dateOnly: true };
  const minute = parseClock(m[2]);
  if (minute === null || minute === MINUTES_PER_DAY) return null;
  return { day, minute, dateOnly: false };
}
