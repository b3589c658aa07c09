import { type BusinessCalendar, createCalendar } from '../calendar/calendar.ts';
import type { DeskSettings } from '../settings/desk-schema.ts';
import type { BusinessSettings } from '../settings/schema.ts';

/**
 * The staff calendar of desk.yaml: each agent's weekly shifts as a calendar
 * of their own (the business's timezone and holidays), so "on shift now",
 * "off shift at" and "first back at" are the calendar's own answers.
 */
export interface Shifts {
  /** Agent ids in the order desk.yaml lists them (ties go to the first). */
  readonly agents: readonly string[];
  onShift(agent: string, at: number): boolean;
  /** When the agent's current shift ends; null when not on shift or on for a year on end. */
  shiftEnd(agent: string, at: number): number | null;
  /** The first instant ≥ `at` at which any agent is on shift; null when none is within a year. */
  nextStart(at: number): number | null;
}

export function createShifts(
  assignment: NonNullable<DeskSettings['assignment']>,
  business: Pick<BusinessSettings, 'timezone' | 'holidays'>,
): Shifts {
  const calendars = new Map<string, BusinessCalendar>();
  for (const [id, agent] of Object.entries(assignment.agents))
    calendars.set(
      id,
      createCalendar({ timezone: business.timezone, hours: agent.shifts, holidays: business.holidays }),
    );
  return {
    agents: [...calendars.keys()],
    onShift: (agent, at) => calendars.get(agent)?.isOpen(at) ?? false,
    shiftEnd(agent, at) {
      const cal = calendars.get(agent);
      return cal?.isOpen(at) ? cal.nextClosing(at) : null;
    },
    nextStart(at) {
      let first: number | null = null;
      for (const cal of calendars.values()) {
        const next = cal.nextOpening(at);
        if (next !== null && (first === null || next < first)) first = next;
      }
      return first;
    },
  };
}
