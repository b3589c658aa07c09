import { parseClock } from '../calendar/civil.ts';
import { instantOf, localAt } from '../calendar/zone.ts';

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type WeekdayName = (typeof DAYS)[number];

/** The first instant after `now` when the business's clock shows `day` at `time` (HH:MM). */
export function nextWeekly(timeZone: string, day: WeekdayName, time: string, now: number): number {
  const minute = parseClock(time) ?? 0;
  const today = localAt(timeZone, now).day;
  // 1970-01-01 (day 0) was a Thursday: index 3 with Monday as 0.
  const weekday = (d: number) => (((d + 3) % 7) + 7) % 7;
  for (let d = today; d <= today + 7; d++) {
    if (DAYS[weekday(d)] !== day) continue;
    const at = instantOf(timeZone, d, minute, 'earliest');
    if (at > now) return at;
  }
  return instantOf(timeZone, today + 7, minute, 'earliest');
}

/** The name of a weekly round: the UTC date it ran on (`2026-12-07`). */
export const roundOf = (at: number): string => new Date(at).toISOString().slice(0, 10);
