import { civilDate, dayNumber, isValidDate } from './civil.ts';
import { type IcalComponent, type IcalProperty, icalProblem, parseIcal, unescapeText } from './ical-parse.ts';
import { parseYearlyRule, type YearlyRule, yearlyOccurrences } from './ical-rrule.ts';

/**
 * Holidays from an iCalendar file: every all-day VEVENT (DTSTART;VALUE=DATE)
 * closes the business for its days — DTEND is exclusive, DURATION or one day
 * when absent — and RRULE:FREQ=YEARLY, RDATE, EXDATE and moved instances
 * (RECURRENCE-ID) repeat or move it. Events this model cannot honour (timed
 * events, other recurrence kinds, cancelled events) are listed in `skipped`
 * with a reason rather than guessed; malformed text is a ConfigError with
 * the line.
 */

export interface HolidayEvent {
  name: string;
  start: number;
  /** Length of each occurrence in days, at least 1. */
  days: number;
  rule: YearlyRule | null;
  /** Extra start days (RDATE). */
  extra: number[];
  /** Start days removed from the rule (EXDATE, moved instances). */
  except: Set<number>;
  line: number;
}

export interface SkippedEvent {
  line: number;
  summary: string;
  reason: string;
}

export interface HolidayImport {
  events: HolidayEvent[];
  skipped: SkippedEvent[];
}

export function importHolidays(text: string, file = 'holidays.ics'): HolidayImport {
  const events: HolidayEvent[] = [];
  const skipped: SkippedEvent[] = [];
  const masters = new Map<string, HolidayEvent>();
  const moved: Array<{ uid: string; day: number }> = [];
  for (const vevent of parseIcal(text, file).flatMap(eventsOf)) {
    const result = readEvent(vevent, file);
    if (typeof result === 'string') {
      skipped.push({ line: vevent.line, summary: summaryOf(vevent), reason: result });
      continue;
    }
    const uid = prop(vevent, 'UID')?.value;
    const recurrenceId = prop(vevent, 'RECURRENCE-ID');
    if (uid && recurrenceId) moved.push({ uid, day: dateValue(recurrenceId, file) });
    else if (uid) masters.set(uid, result);
    events.push(result);
  }
  for (const m of moved) masters.get(m.uid)?.except.add(m.day);
  return { events, skipped };
}

/** Every day of `year` (as day numbers) covered by an occurrence, with the holiday's name. */
export function holidaysInYear(events: readonly HolidayEvent[], year: number): Map<number, string> {
  const out = new Map<number, string>();
  const first = dayNumber(year, 1, 1);
  const last = dayNumber(year, 12, 31);
  for (const event of events) {
    // a span that starts late in the previous year can reach into this one
    const starts = [...occurrenceStarts(event, year - 1), ...occurrenceStarts(event, year)];
    for (const s of starts) {
      for (let d = Math.max(s, first); d < s + event.days && d <= last; d++) if (!out.has(d)) out.set(d, event.name);
    }
  }
  return out;
}

function occurrenceStarts(event: HolidayEvent, year: number): number[] {
  const inYear = (d: number) => civilDate(d).year === year;
  const base = event.rule ? yearlyOccurrences(event.rule, event.start, year) : inYear(event.start) ? [event.start] : [];
  return [...base, ...event.extra.filter(inYear)].filter((d) => !event.except.has(d));
}

function eventsOf(component: IcalComponent): IcalComponent[] {
  if (component.name === 'VEVENT') return [component];
  return component.components.flatMap(eventsOf);
}

function prop(component: IcalComponent, name: string): IcalProperty | undefined {
  return component.properties.find((p) => p.name === name);
}

function summaryOf(vevent: IcalComponent): string {
  const summary = prop(vevent, 'SUMMARY');
  return summary ? unescapeText(summary.value).trim() || 'Holiday' : 'Holiday';
}

/** An event, or the reason it is skipped. */
function readEvent(vevent: IcalComponent, file: string): HolidayEvent | string {
  if (prop(vevent, 'STATUS')?.value.toUpperCase() === 'CANCELLED') return 'cancelled';
  const dtstart = prop(vevent, 'DTSTART');
  if (!dtstart)
    throw icalProblem(file, vevent.line, 'VEVENT without DTSTART', 'give the event a DTSTART;VALUE=DATE:YYYYMMDD');
  if (!isDateOnly(dtstart)) return 'timed event; only all-day events (DTSTART;VALUE=DATE) are holidays';
  const start = dateValue(dtstart, file);
  const days = lengthInDays(vevent, start, file);
  const rrule = prop(vevent, 'RRULE');
  let rule: YearlyRule | null = null;
  if (rrule) {
    const parsed = parseYearlyRule(rrule.value, parseDatePrefix);
    if (typeof parsed === 'string') return parsed;
    rule = parsed;
  }
  return {
    name: summaryOf(vevent),
    start,
    days,
    rule,
    extra: dateList(vevent, 'RDATE', file),
    except: new Set(dateList(vevent, 'EXDATE', file)),
    line: vevent.line,
  };
}

function isDateOnly(p: IcalProperty): boolean {
  const type = p.params.VALUE?.[0]?.toUpperCase();
  return type === 'DATE' || (type === undefined && /^\d{8}$/.test(p.value.trim()));
}

function lengthInDays(vevent: IcalComponent, start: number, file: string): number {
  const dtend = prop(vevent, 'DTEND');
  if (dtend) {
    if (!isDateOnly(dtend)) {
      throw icalProblem(file, dtend.line, 'DTEND has a time but DTSTART is a date', 'write DTEND;VALUE=DATE:YYYYMMDD');
    }
    const end = dateValue(dtend, file);
    if (end <= start) {
      throw icalProblem(
        file,
        dtend.line,
        'DTEND is not after DTSTART',
        'DTEND is exclusive: a one-day event ends the next day',
      );
    }
    return end - start;
  }
  const duration = prop(vevent, 'DURATION');
  if (!duration) return 1;
  const m = /^P(?:(\d+)W|(\d+)D)$/.exec(duration.value.trim().toUpperCase());
  const days = m ? Number(m[1] ?? 0) * 7 + Number(m[2] ?? 0) : 0;
  if (days < 1)
    throw icalProblem(file, duration.line, `DURATION ${duration.value} is not whole days`, 'write P1D, P3D or P2W');
  return days;
}

/** YYYYMMDD at the start of a value (a DATE-TIME's time part is ignored), or null. */
function parseDatePrefix(value: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(T\d{6}Z?)?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isValidDate(y, mo, d) ? dayNumber(y, mo, d) : null;
}

function dateValue(p: IcalProperty, file: string): number {
  const day = parseDatePrefix(p.value);
  if (day === null)
    throw icalProblem(file, p.line, `${p.name} value "${p.value}" is not a date`, 'write YYYYMMDD, e.g. 20261225');
  return day;
}

function dateList(vevent: IcalComponent, name: string, file: string): number[] {
  return vevent.properties
    .filter((p) => p.name === name)
    .flatMap((p) => p.value.split(',').map((v) => dateValue({ ...p, value: v }, file)));
}
