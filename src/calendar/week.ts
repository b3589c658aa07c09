import type { BusinessCalendar } from './calendar.ts';
import { instantOf, localAt } from './zone.ts';

/**
 * The coming week's opening hours, read from the calendar itself (weekly
 * hours, holidays, closures), as one line a customer can read:
 * "today (Sunday) 9:00–13:00; Monday closed; Tuesday 25 December closed
 * (Christmas Day); …". English only, like the times it prints.
 */
export function weekHours(calendar: BusinessCalendar, now: number, channel?: string, days = 7): string {
  const tz = calendar.timeZone;
  const today = localAt(tz, now).day;
  const weekday = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long' });
  const date = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' });
  const clock = (at: number) => {
    const m = localAt(tz, at).minute;
    return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
  };
  const parts: string[] = [];
  for (let d = today; d < today + days; d++) {
    const start = instantOf(tz, d, 0, 'earliest');
    const end = instantOf(tz, d + 1, 0, 'earliest');
    const spans = calendar.openIntervals(start, end, channel);
    const holiday = calendar.holidayAt(start + 12 * 3_600_000);
    const label =
      d === today ? `today (${weekday.format(d * 86_400_000)})` : (holiday ? date : weekday).format(d * 86_400_000);
    const hours = spans.map((s) => `${clock(s.start)}–${s.end >= end ? '24:00' : clock(s.end)}`).join(' and ');
    parts.push(`${label} ${hours || 'closed'}${holiday && !hours ? ` (${holiday})` : ''}`);
  }
  return parts.join('; ');
}
