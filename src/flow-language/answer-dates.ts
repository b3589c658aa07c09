import * as chrono from 'chrono-node';
import { MS_PER_DAY as DAY_MS } from '../calendar/civil.ts';
import { offsetAt, wallAt } from '../calendar/zone.ts';

/**
 * Dates and times customers type ("tomorrow", "the 19th", "next Friday",
 * "14 March", "morgen", "at 3pm"), read by chrono-node in the contact's
 * language (English day-first unless it is en-US), relative to now in the
 * contact's timezone. Dates come back as `YYYY-MM-DD`, times as `HH:MM`.
 */

const MONTH_DAY = /\bthe (\d{1,2})(?:st|nd|rd|th)\b/i;

/** "the 19th": that day of this month, or of next month when it has passed. */
const dayOfMonth: chrono.Parser = {
  pattern: () => MONTH_DAY,
  extract: (context, match) => {
    const day = Number(match[1]);
    if (day < 1 || day > 31) return null;
    const ref = context.reference.getDateWithAdjustedTimezone();
    let [year, month] = [ref.getFullYear(), ref.getMonth() + 1];
    if (day < ref.getDate()) [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
    return { day, month, year };
  },
};

function withDayOfMonth(parser: chrono.Chrono): chrono.Chrono {
  const copy = parser.clone();
  copy.parsers.push(dayOfMonth);
  return copy;
}

const british = withDayOfMonth(chrono.en.GB);
const american = withDayOfMonth(chrono.en.casual);
const BY_LANGUAGE: Record<string, chrono.Chrono> = {
  de: chrono.de.casual,
  fr: chrono.fr.casual,
  es: chrono.es.casual,
  it: chrono.it.casual,
  nl: chrono.nl.casual,
  pt: chrono.pt.casual,
  sv: chrono.sv.casual,
  fi: chrono.fi.casual,
  ru: chrono.ru.casual,
  uk: chrono.uk.casual,
  ja: chrono.ja.casual,
  zh: chrono.zh.casual,
};

function parsersFor(language: string): chrono.Chrono[] {
  const tag = language.toLowerCase();
  if (tag === 'en-us') return [american];
  const own = BY_LANGUAGE[tag.split('-')[0] ?? ''];
  // a customer writing English to a German shop is still understood
  return own ? [own, british] : [british];
}

export interface DateReading {
  timeZone: string;
  language: string;
}

function firstResult(text: string, now: number, reading: DateReading, wanted: (r: chrono.ParsedResult) => boolean) {
  const ref = { instant: new Date(now), timezone: Math.round(offsetAt(reading.timeZone, now) / 60_000) };
  for (const parser of parsersFor(reading.language)) {
    const hit = parser.parse(text.slice(0, 500), ref, { forwardDate: true }).find(wanted);
    if (hit) return hit;
  }
  return null;
}

const two = (n: number | null): string => String(n ?? 0).padStart(2, '0');

const namesADay = (r: chrono.ParsedResult): boolean =>
  r.start.isCertain('day') || r.start.isCertain('weekday') || r.start.isCertain('month');

/** The date the text names, with where in the text it was found; null when it names none. */
export function readDate(
  text: string,
  now: number,
  reading: DateReading,
): { value: string; index: number; text: string } | null {
  const hit = firstResult(text, now, reading, namesADay);
  if (!hit) return null;
  const s = hit.start;
  let day = Date.UTC(s.get('year') ?? 1970, (s.get('month') ?? 1) - 1, s.get('day') ?? 1);
  // "Tuesday" said on a Tuesday means next week's: today would be "today"
  const today = wallAt(reading.timeZone, now) - (wallAt(reading.timeZone, now) % DAY_MS);
  if (day === today && !s.isCertain('day') && s.isCertain('weekday') && !/\b(today|this)\b/i.test(hit.text))
    day += 7 * DAY_MS;
  return { value: new Date(day).toISOString().slice(0, 10), index: hit.index, text: hit.text };
}

export function parseDate(text: string, now: number, reading: DateReading): string | null {
  return readDate(text, now, reading)?.value ?? null;
}

/** A time of day ("3pm", "at 14:30", "noon") as `HH:MM`; null when the text names none. */
export function parseTime(text: string, now: number, reading: DateReading): string | null {
  const hit = firstResult(text, now, reading, (r) => r.start.isCertain('hour'));
  return hit ? `${two(hit.start.get('hour'))}:${two(hit.start.get('minute'))}` : null;
}

/** Where the text names a date, with the numbers of its day, month and year: "for 20 on the 19th" has 19, not 20. */
export function dateNumbers(
  text: string,
  now: number,
  reading: DateReading,
): Array<{ start: number; end: number; numbers: number[] }> {
  const ref = { instant: new Date(now), timezone: Math.round(offsetAt(reading.timeZone, now) / 60_000) };
  return parsersFor(reading.language).flatMap((parser) =>
    parser.parse(text.slice(0, 500), ref).map((r) => ({
      start: r.index,
      end: r.index + r.text.length,
      numbers: (['day', 'month', 'year'] as const)
        .filter((c) => r.start.isCertain(c))
        .map((c) => r.start.get(c) ?? Number.NaN),
    })),
  );
}
