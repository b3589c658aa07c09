import { z } from 'zod';
import { parseIsoDate, parseLocalDateTime, parseSlot, WEEKDAYS } from './civil.ts';
import { isTimeZone } from './zone.ts';

/**
 * The opening-hours part of business.yaml: weekly hours, holidays, one-off
 * closures, special days and per-channel hours. businessFile (settings/schema.ts)
 * spreads `calendarKeys` into itself; createCalendar validates with the same schema.
 */

export const timeZoneName = z
  .string()
  .min(1)
  .refine(isTimeZone, 'an IANA timezone such as Europe/London or America/New_York')
  .describe('IANA timezone, e.g. Europe/London');

const SLOT = /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2})?$/;

// each refinement only judges text of the right form, so one mistake is reported once

export const clockRange = z
  .string()
  .regex(SLOT, 'a time range such as 09:00-17:30')
  .refine(
    (s) => !SLOT.test(s) || parseSlot(s) !== null,
    'a time range whose end is after its start, such as 09:00-17:30',
  )
  .describe('Opening slot, HH:MM-HH:MM in the business timezone; 24:00 ends at midnight');

const localDate = z
  .string()
  .regex(DATE, 'a date such as 2026-12-25')
  .refine((s) => !DATE.test(s) || parseIsoDate(s) !== null, 'a real calendar date such as 2026-12-25')
  .describe('A local date, YYYY-MM-DD');

const localDateOrTime = z
  .string()
  .regex(DATE_TIME, 'a date such as 2026-08-03 or a date and time such as 2026-08-03 14:00')
  .refine(
    (s) => !DATE_TIME.test(s) || parseLocalDateTime(s) !== null,
    'a real date, optionally with a time from 00:00 to 23:59',
  )
  .describe('A local date (YYYY-MM-DD) or date and time (YYYY-MM-DD HH:MM) in the business timezone');

const channelList = z
  .array(z.string().min(1))
  .min(1)
  .optional()
  .describe('Only these channels; every channel when absent');

export const weeklyHours = z
  .partialRecord(z.enum(WEEKDAYS), z.array(clockRange))
  .describe('Weekly opening hours (mon … sun); several slots a day allowed; a missing day is closed');

const holiday = z.union([
  localDate,
  z
    .object({ date: localDate, name: z.string().min(1).optional().describe('Shown to customers, e.g. Christmas Day') })
    .strict(),
]);

const closure = z
  .object({
    from: localDateOrTime.describe('First closed moment; a whole date means from its midnight'),
    to: localDateOrTime.describe('End of the closure; a whole date is included (closed through its end)'),
    note: z.string().optional().describe('Why, e.g. staff training'),
    channels: channelList,
  })
  .strict()
  .refine((c) => closureRange(c) !== null || !parseLocalDateTime(c.from) || !parseLocalDateTime(c.to), {
    message: 'the closure must end after it starts',
    path: ['to'],
  });

const specialDay = z
  .object({
    date: localDate,
    slots: z.array(clockRange).describe('That day’s slots, replacing its weekly hours and any holiday; [] is closed'),
    note: z.string().optional(),
    channels: channelList,
  })
  .strict();

export const calendarKeys = {
  hours: weeklyHours.default({}),
  holidays: z.array(holiday).default([]).describe('Whole days closed: dates (2026-12-25) or {date, name} entries'),
  holidayCalendar: z
    .string()
    .min(1)
    .optional()
    .describe('An .ics file of holidays (all-day events, yearly rules), relative to the config folder'),
  closures: z
    .array(closure)
    .default([])
    .describe('One-off closures from a local date or date-time to another, e.g. a refit or a training afternoon'),
  extendedHours: z
    .array(specialDay)
    .default([])
    .describe('Special days: {date, slots} replacing that day’s hours, e.g. late opening before Christmas'),
  channelHours: z
    .record(z.string().min(1), weeklyHours)
    .default({})
    .describe('Per-channel weekly hours replacing `hours` for that channel, e.g. phone: {mon: ["09:00-17:00"]}'),
};

/** What createCalendar accepts: the business settings, or just these keys. */
export const calendarDef = z.object({ timezone: timeZoneName, ...calendarKeys });

export type CalendarDef = z.input<typeof calendarDef>;
export type CalendarSettings = z.output<typeof calendarDef>;
export type WeeklyHours = z.output<typeof weeklyHours>;

/** A closure as local [day, minute) bounds; a whole-date `to` runs to the end of that day. */
export function closureRange(c: {
  from: string;
  to: string;
}): { from: { day: number; minute: number }; to: { day: number; minute: number } } | null {
  const from = parseLocalDateTime(c.from);
  const to = parseLocalDateTime(c.to);
  if (!from || !to) return null;
  const end = to.dateOnly ? { day: to.day + 1, minute: 0 } : to;
  if (end.day * 1440 + end.minute <= from.day * 1440 + from.minute) return null;
  return { from: { day: from.day, minute: from.minute }, to: end };
}
