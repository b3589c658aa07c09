import { civilDate, parseIsoDate, parseSlot, type Weekday, weekdayOf } from './civil.ts';
import { type CalendarSettings, closureRange, type WeeklyHours } from './hours-schema.ts';
import { type HolidayEvent, holidaysInYear } from './ical.ts';

/**
 * Which local slots apply on a given day for a given channel. Precedence,
 * most specific first:
 * 1. a special day (`extendedHours`) for that date replaces everything else
 *    that day, holidays included;
 * 2. a holiday (config list or .ics) closes the whole day;
 * 3. otherwise the channel's weekly hours (`channelHours`), else `hours`.
 * One-off closures are cut out afterwards, by the calendar, as instants.
 */

export type Slot = readonly [start: number, end: number];

export interface LocalClosure {
  from: { day: number; minute: number };
  to: { day: number; minute: number };
  note: string | null;
  channels: ReadonlySet<string> | null;
}

interface SpecialDay {
  slots: Slot[];
  channels: ReadonlySet<string> | null;
}

type WeeklySlots = ReadonlyMap<Weekday, Slot[]>;

const DEFAULT_KEY = '';

export class DayRules {
  readonly closures: LocalClosure[];
  readonly #weekly: ReadonlyMap<string, WeeklySlots>;
  readonly #special: ReadonlyMap<number, SpecialDay[]>;
  readonly #holidays: ReadonlyMap<number, string>;
  readonly #imported: readonly HolidayEvent[];
  readonly #importedByYear = new Map<number, Map<number, string>>();
  /** Channels with rules of their own; every other channel shares the default rules (and cache). */
  readonly #distinct: ReadonlySet<string>;

  constructor(settings: CalendarSettings, imported: readonly HolidayEvent[]) {
    const weekly = new Map<string, WeeklySlots>([[DEFAULT_KEY, parseWeekly(settings.hours)]]);
    for (const [channel, hours] of Object.entries(settings.channelHours)) weekly.set(channel, parseWeekly(hours));
    this.#weekly = weekly;

    const special = new Map<number, SpecialDay[]>();
    for (const s of settings.extendedHours) {
      const day = parseIsoDate(s.date) as number;
      const entry = {
        slots: s.slots.map((t) => parseSlot(t) as Slot),
        channels: s.channels ? new Set(s.channels) : null,
      };
      special.set(day, [...(special.get(day) ?? []), entry]);
    }
    this.#special = special;

    const holidays = new Map<number, string>();
    for (const h of settings.holidays) {
      const { date, name } = typeof h === 'string' ? { date: h, name: undefined } : h;
      holidays.set(parseIsoDate(date) as number, name ?? 'Holiday');
    }
    this.#holidays = holidays;
    this.#imported = imported;

    // the schema has already refused closures without a valid range
    this.closures = settings.closures.flatMap((c) => {
      const range = closureRange(c);
      return range ? [{ ...range, note: c.note ?? null, channels: c.channels ? new Set(c.channels) : null }] : [];
    });

    const distinct = new Set(Object.keys(settings.channelHours));
    for (const s of settings.extendedHours) for (const c of s.channels ?? []) distinct.add(c);
    for (const c of settings.closures) for (const ch of c.channels ?? []) distinct.add(ch);
    this.#distinct = distinct;
  }

  /** The key under which this channel's days may be cached: channels without rules of their own share one. */
  keyOf(channel: string | undefined): string {
    return channel !== undefined && this.#distinct.has(channel) ? channel : DEFAULT_KEY;
  }

  /** The day's slots in local minutes, for a channel key from `keyOf`. */
  slotsOn(day: number, key: string): Slot[] {
    const special = this.#special.get(day)?.filter((s) => applies(s.channels, key));
    if (special && special.length > 0) return special.flatMap((s) => s.slots);
    if (this.holidayOn(day) !== null) return [];
    const weekly = this.#weekly.get(key) ?? this.#weekly.get(DEFAULT_KEY);
    return weekly?.get(weekdayOf(day)) ?? [];
  }

  closuresFor(key: string): LocalClosure[] {
    return this.closures.filter((c) => applies(c.channels, key));
  }

  /** The holiday's name when `day` is a holiday, else null. */
  holidayOn(day: number): string | null {
    const own = this.#holidays.get(day);
    if (own !== undefined) return own;
    if (this.#imported.length === 0) return null;
    const year = civilDate(day).year;
    let map = this.#importedByYear.get(year);
    if (!map) {
      map = holidaysInYear(this.#imported, year);
      if (this.#importedByYear.size > 64) this.#importedByYear.clear();
      this.#importedByYear.set(year, map);
    }
    return map.get(day) ?? null;
  }
}

function parseWeekly(hours: WeeklyHours): WeeklySlots {
  return new Map(Object.entries(hours).map(([day, slots]) => [day as Weekday, slots.map((t) => parseSlot(t) as Slot)]));
}

function applies(channels: ReadonlySet<string> | null, key: string): boolean {
  return channels === null || channels.has(key);
}
