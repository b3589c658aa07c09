import { ConfigError, TouchpointError } from '../errors.ts';
import { MINUTES_PER_DAY } from './civil.ts';
import { DayRules } from './day-rules.ts';
import { type CalendarDef, type CalendarSettings, calendarDef } from './hours-schema.ts';
import { type HolidayEvent, importHolidays, type SkippedEvent } from './ical.ts';
import { clipIntervals, type Interval, mergeIntervals, subtractIntervals, totalLength } from './intervals.ts';
import { instantOf, localAt } from './zone.ts';

/**
 * The business calendar: "are we open", "when do we open next" and "how much
 * business time lies between two instants", for every channel. Instants are
 * epoch ms; hours are wall times in the business timezone, mapped to instants
 * by the rule in zone.ts (skipped times shorten a slot, repeated times lengthen
 * it, a 09:00-17:00 slot stays 09:00-17:00 local). Each local day's open
 * intervals are computed once per channel and kept in a small cache.
 */

export interface BusinessCalendar {
  readonly timeZone: string;
  /** Events of the .ics file that were not imported, with the reason. */
  readonly skippedHolidays: readonly SkippedEvent[];
  isOpen(at: number, channel?: string): boolean;
  /** The first instant ≥ `at` at which we are open (`at` itself when open); null if not within a year. */
  nextOpening(at: number, channel?: string): number | null;
  /** The first instant ≥ `at` at which we are closed (`at` itself when closed); null if open for a year on end. */
  nextClosing(at: number, channel?: string): number | null;
  /** Open time in [a, b); negative when b is before a. */
  businessMsBetween(a: number, b: number, channel?: string): number;
  businessMinutesBetween(a: number, b: number, channel?: string): number;
  /**
   * The instant at which `ms` of open time has passed since `at` (an SLA due
   * time): exactly at closing when the budget runs out there. Null when that
   * much open time is not found within ten years, or a year passes closed.
   */
  addBusinessMs(at: number, ms: number, channel?: string): number | null;
  /** The open spans within [from, to), merged across midnight. */
  openIntervals(from: number, to: number, channel?: string): Interval[];
  /** The holiday's name when `at` falls on one (config or .ics), else null. */
  holidayAt(at: number): string | null;
}

export interface CalendarOptions {
  /** Text of the `holidayCalendar` file; required when the settings name one (createCalendar reads no files). */
  icsText?: string;
  /** Names in errors: the settings file and the .ics file. */
  file?: string;
  icsFile?: string;
}

const YEAR_DAYS = 367;
const MAX_SCAN_DAYS = 3660;
const MAX_RANGE_DAYS = 20 * 366;
const CACHE_LIMIT = 4000;

export function createCalendar(def: CalendarDef, opts: CalendarOptions = {}): BusinessCalendar {
  const settings = validate(def, opts.file ?? 'business.yaml');
  let events: HolidayEvent[] = [];
  let skipped: SkippedEvent[] = [];
  if (settings.holidayCalendar !== undefined) {
    if (opts.icsText === undefined) {
      throw new TouchpointError(
        'calendar_ics_missing',
        `holidayCalendar "${settings.holidayCalendar}" is set but its text was not given; load it with loadCalendar`,
      );
    }
    ({ events, skipped } = importHolidays(opts.icsText, opts.icsFile ?? settings.holidayCalendar));
  }
  return new Calendar(settings, new DayRules(settings, events), skipped);
}

function validate(def: CalendarDef, file: string): CalendarSettings {
  const result = calendarDef.safeParse(def);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      file,
      line: null,
      path: issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, ''),
      message: issue.message,
      fix: 'correct the opening hours settings',
    })),
  );
}

class Calendar implements BusinessCalendar {
  readonly timeZone: string;
  readonly skippedHolidays: readonly SkippedEvent[];
  readonly #rules: DayRules;
  readonly #cache = new Map<string, Interval[]>();
  readonly #cuts = new Map<string, Interval[]>();

  constructor(settings: CalendarSettings, rules: DayRules, skipped: SkippedEvent[]) {
    this.timeZone = settings.timezone;
    this.#rules = rules;
    this.skippedHolidays = skipped;
  }

  isOpen(at: number, channel?: string): boolean {
    const key = this.#key(channel);
    const day = localAt(this.timeZone, instant(at)).day;
    for (let d = day - 1; d <= day + 1; d++) {
      if (this.#day(d, key).some((i) => i.start <= at && at < i.end)) return true;
    }
    return false;
  }

  nextOpening(at: number, channel?: string): number | null {
    for (const i of this.#from(at, this.#key(channel), YEAR_DAYS)) return Math.max(i.start, at);
    return null;
  }

  nextClosing(at: number, channel?: string): number | null {
    let cursor = at;
    for (const i of this.#from(at, this.#key(channel), YEAR_DAYS)) {
      if (i.start > cursor) return cursor;
      cursor = Math.max(cursor, i.end);
    }
    // intervals ran out: we close at `cursor`, unless still open where the horizon ends
    return this.isOpen(cursor, channel) ? null : cursor;
  }

  businessMsBetween(a: number, b: number, channel?: string): number {
    if (instant(b) < instant(a)) return -this.businessMsBetween(b, a, channel);
    return totalLength(this.openIntervals(a, b, channel));
  }

  businessMinutesBetween(a: number, b: number, channel?: string): number {
    return this.businessMsBetween(a, b, channel) / 60_000;
  }

  addBusinessMs(at: number, ms: number, channel?: string): number | null {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new TouchpointError('invalid_argument', `business time to add must be a duration ≥ 0 ms, got ${ms}`);
    }
    if (ms === 0) return instant(at);
    let left = ms;
    let cursor = at;
    for (const i of this.#from(at, this.#key(channel), MAX_SCAN_DAYS)) {
      const start = Math.max(i.start, cursor);
      if (i.end <= start) continue;
      if (left <= i.end - start) return start + left;
      left -= i.end - start;
      cursor = i.end;
    }
    return null;
  }

  openIntervals(from: number, to: number, channel?: string): Interval[] {
    if (instant(to) <= instant(from)) return [];
    const key = this.#key(channel);
    const first = localAt(this.timeZone, from).day - 1;
    const last = localAt(this.timeZone, to).day + 1;
    if (last - first > MAX_RANGE_DAYS) {
      throw new TouchpointError(
        'invalid_argument',
        `a range of more than ${MAX_RANGE_DAYS} days is too long to measure`,
      );
    }
    const all: Interval[] = [];
    for (let d = first; d <= last; d++) all.push(...this.#day(d, key));
    return mergeIntervals(clipIntervals(all, from, to));
  }

  holidayAt(at: number): string | null {
    return this.#rules.holidayOn(localAt(this.timeZone, instant(at)).day);
  }

  #key(channel: string | undefined): string {
    if (channel !== undefined && typeof channel !== 'string') {
      throw new TouchpointError('invalid_argument', `channel must be a string, got ${typeof channel}`);
    }
    return this.#rules.keyOf(channel);
  }

  /**
   * Open intervals ending after `at`, day by day in order, for at most
   * `maxDays`; stops early once a whole year passes without any.
   */
  *#from(at: number, key: string, maxDays: number): Generator<Interval> {
    const firstDay = localAt(this.timeZone, instant(at)).day - 1;
    let lastOpenDay = firstDay;
    for (let d = firstDay; d <= firstDay + maxDays && d - lastOpenDay <= YEAR_DAYS; d++) {
      const list = this.#day(d, key);
      if (list.length > 0) lastOpenDay = d;
      for (const i of list) if (i.end > at) yield i;
    }
  }

  /** The open intervals of one local day, as instants, closures removed. */
  #day(day: number, key: string): Interval[] {
    const cacheKey = `${key}|${day}`;
    const cached = this.#cache.get(cacheKey);
    if (cached) return cached;
    const tz = this.timeZone;
    const spans = this.#rules.slotsOn(day, key).map(([s, e]) => ({
      start: instantOf(tz, day, s, 'earliest'),
      end: e === MINUTES_PER_DAY ? instantOf(tz, day + 1, 0, 'latest') : instantOf(tz, day, e, 'latest'),
    }));
    const result = subtractIntervals(mergeIntervals(spans), this.#closureCuts(key));
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(cacheKey, result);
    return result;
  }

  #closureCuts(key: string): Interval[] {
    let cuts = this.#cuts.get(key);
    if (!cuts) {
      cuts = this.#rules.closuresFor(key).map((c) => ({
        start: instantOf(this.timeZone, c.from.day, c.from.minute, 'earliest'),
        end: instantOf(this.timeZone, c.to.day, c.to.minute, 'latest'),
      }));
      this.#cuts.set(key, cuts);
    }
    return cuts;
  }
}

/** Instants must be epoch ms that Date can represent; anything else is a caller's mistake. */
function instant(at: number): number {
  if (typeof at !== 'number' || !Number.isFinite(at) || Math.abs(at) > 8e15) {
    throw new TouchpointError('invalid_argument', `an instant must be epoch milliseconds, got ${String(at)}`);
  }
  return at;
}
