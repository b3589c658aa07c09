/**
 * Dates customers type ("tomorrow", "Saturday", "14 March", "14/03/2026",
 * "2026-03-14"), read day-first as in most of the world, relative to today in
 * the business's timezone. Returns `YYYY-MM-DD`, or null when it is not a date.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = [
  'sun(day)?',
  'mon(day)?',
  'tue(s|sday)?',
  'wed(nesday)?',
  'thu(rs|rsday)?',
  'fri(day)?',
  'sat(urday)?',
];
const DAY_MS = 86_400_000;

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Midnight UTC of today's date in `timeZone`: date arithmetic without time-of-day surprises. */
function todayIn(now: number, timeZone: string): number {
  const text = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    now,
  );
  return Date.parse(`${text}T00:00:00Z`);
}

function valid(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? ms : null;
}

/** A day and month without a year: this year's, or next year's when that day has passed. */
function upcoming(today: number, month: number, day: number): number | null {
  const year = new Date(today).getUTCFullYear();
  const thisYear = valid(year, month, day);
  if (thisYear === null) return valid(year + 1, month, day);
  return thisYear < today ? valid(year + 1, month, day) : thisYear;
}

const fullYear = (y: number): number => (y < 100 ? 2000 + y : y);

function monthIndex(word: string): number {
  return MONTHS.indexOf(word.slice(0, 3).toLowerCase()) + 1;
}

export function parseDate(text: string, now: number, timeZone: string): string | null {
  const t = text.trim().toLowerCase();
  const today = todayIn(now, timeZone);
  if (/\btoday\b/.test(t)) return iso(today);
  if (/\btomorrow\b/.test(t)) return iso(today + DAY_MS);

  let m = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/.exec(t);
  if (m) return dated(valid(Number(m[1]), Number(m[2]), Number(m[3])));

  m = /\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?\b/.exec(t);
  if (m) {
    const [day, month] = [Number(m[1]), Number(m[2])];
    return dated(m[3] ? valid(fullYear(Number(m[3])), month, day) : upcoming(today, month, day));
  }

  m = /\b(\d{1,2})(?:st|nd|rd|th)?(?: of)? ([a-z]{3,})\.?(?:,? (\d{4}))?/.exec(t);
  if (m && monthIndex(m[2] as string) > 0) {
    const [day, month] = [Number(m[1]), monthIndex(m[2] as string)];
    return dated(m[3] ? valid(Number(m[3]), month, day) : upcoming(today, month, day));
  }
  m = /\b([a-z]{3,})\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?\b/.exec(t);
  if (m && monthIndex(m[1] as string) > 0) {
    const [day, month] = [Number(m[2]), monthIndex(m[1] as string)];
    return dated(m[3] ? valid(Number(m[3]), month, day) : upcoming(today, month, day));
  }

  const weekday = WEEKDAYS.findIndex((w) => new RegExp(`\\b${w}\\b`).test(t));
  if (weekday >= 0) {
    const current = new Date(today).getUTCDay();
    const ahead = (weekday - current + 7) % 7 || 7;
    return iso(today + ahead * DAY_MS);
  }
  return null;
}

const dated = (ms: number | null): string | null => (ms === null ? null : iso(ms));
