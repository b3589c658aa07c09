import type { BusinessCalendar } from '../calendar/calendar.ts';
import { isTimeZone, offsetAt } from '../calendar/zone.ts';

/**
 * Quiet hours for a broadcast: a recipient is written to only while the
 * business calendar is open at the recipient's own wall-clock time (their
 * contact timezone, else the business's). 9:00–17:00 on a Monday in the
 * calendar means 9:00–17:00 on a Monday where the customer lives; holidays
 * and closures of the calendar hold too.
 *
 * Returns null when now is fine, the instant the window opens next, or
 * `never` when the calendar does not open within a year.
 */
export function quietUntil(
  calendar: BusinessCalendar,
  contactZone: string | null,
  now: number,
  channel: string,
): number | 'never' | null {
  const zone = contactZone && isTimeZone(contactZone) ? contactZone : calendar.timeZone;
  // The business-zone instant whose wall clock shows what the contact's clock shows now.
  const shift = offsetAt(zone, now) - offsetAt(calendar.timeZone, now);
  const local = now + shift;
  if (calendar.isOpen(local, channel)) return null;
  const opens = calendar.nextOpening(local, channel);
  return opens === null ? 'never' : opens - shift;
}
