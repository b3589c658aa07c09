import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { type BusinessCalendar, createCalendar } from './calendar.ts';
import type { CalendarDef } from './hours-schema.ts';

/**
 * The calendar of the business settings, reading the `holidayCalendar` .ics
 * file (relative to the config folder) when one is named — the only file the
 * calendar ever reads. Events the file holds but the calendar cannot honour
 * are logged, not fatal.
 */
export function loadCalendar(business: CalendarDef, configDir: string, log?: Logger): BusinessCalendar {
  const settingsFile = join(configDir, 'business.yaml');
  if (business.holidayCalendar === undefined) return createCalendar(business, { file: settingsFile });
  const icsFile = resolve(configDir, business.holidayCalendar);
  let icsText: string;
  try {
    icsText = readFileSync(icsFile, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new ConfigError([
      {
        file: settingsFile,
        line: null,
        path: 'holidayCalendar',
        message: `the holiday calendar ${icsFile} ${reason}`,
        fix: 'give the path of an .ics file relative to the config folder, or remove holidayCalendar',
      },
    ]);
  }
  const calendar = createCalendar(business, { file: settingsFile, icsText, icsFile });
  for (const s of calendar.skippedHolidays) {
    log?.warn({ file: icsFile, line: s.line, summary: s.summary, reason: s.reason }, 'holiday calendar event skipped');
  }
  return calendar;
}
