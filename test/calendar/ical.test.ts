import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCalendar } from '../../src/calendar/calendar.ts';
import { formatIsoDate } from '../../src/calendar/civil.ts';
import { holidaysInYear, importHolidays } from '../../src/calendar/ical.ts';
import { unfold } from '../../src/calendar/ical-parse.ts';
import { ConfigError } from '../../src/errors.ts';

const fixture = readFileSync(new URL('./fixtures/holidays.ics', import.meta.url), 'utf8');
const t = (iso: string) => Date.parse(iso);

/** The holidays of a year as `date → name`, for readable expectations. */
function holidays(text: string, year: number): Record<string, string> {
  const map = holidaysInYear(importHolidays(text).events, year);
  return Object.fromEntries([...map].sort(([a], [b]) => a - b).map(([d, name]) => [formatIsoDate(d), name]));
}

/** A calendar around the given VEVENT bodies. */
function ics(...events: string[]): string {
  const body = events.map((e) => `BEGIN:VEVENT\n${e.trim()}\nEND:VEVENT`).join('\n');
  return `BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n${body}\nEND:VCALENDAR\n`;
}

describe('the fixture', () => {
  it('unfolds continuation lines (space or tab) and unescapes text', () => {
    const imported = importHolidays(fixture);
    expect(imported.events.map((e) => e.name)).toEqual([
      'Christmas Day',
      'Closed for the summer refit, back on Saturday',
      'Spring bank holiday',
      'Winter break',
    ]);
  });

  it('repeats yearly holidays, spans multi-day closures and crosses into the next year', () => {
    expect(holidays(fixture, 2026)).toEqual({
      '2026-05-25': 'Spring bank holiday',
      '2026-08-03': 'Closed for the summer refit, back on Saturday',
      '2026-08-04': 'Closed for the summer refit, back on Saturday',
      '2026-08-05': 'Closed for the summer refit, back on Saturday',
      '2026-08-06': 'Closed for the summer refit, back on Saturday',
      '2026-08-07': 'Closed for the summer refit, back on Saturday',
      '2026-12-25': 'Christmas Day',
      '2026-12-30': 'Winter break',
      '2026-12-31': 'Winter break',
    });
    expect(holidays(fixture, 2027)).toEqual({
      '2027-01-01': 'Winter break',
      '2027-01-02': 'Winter break',
      '2027-05-31': 'Spring bank holiday',
      '2027-12-25': 'Christmas Day',
    });
    expect(holidays(fixture, 2023)).toEqual({});
  });

  it('skips the timed event with a reason, ignoring the alarm and the timezone block', () => {
    expect(importHolidays(fixture).skipped).toEqual([
      { line: expect.any(Number), summary: 'Staff party', reason: expect.stringMatching(/timed event/) },
    ]);
  });

  it('closes a calendar on those days', () => {
    const weekdays = ['09:00-17:00'];
    const cal = createCalendar(
      {
        timezone: 'Europe/London',
        hours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays, sat: ['10:00-16:00'] },
        holidayCalendar: 'holidays.ics',
      },
      { icsText: fixture },
    );
    expect(cal.isOpen(t('2026-08-05T10:00+01:00'))).toBe(false);
    expect(cal.nextOpening(t('2026-08-03T08:00+01:00'))).toBe(t('2026-08-08T10:00+01:00'));
    expect(cal.isOpen(t('2030-12-25T10:00Z'))).toBe(false);
    expect(cal.holidayAt(t('2030-12-25T10:00Z'))).toBe('Christmas Day');
    expect(cal.nextOpening(t('2026-12-29T18:00Z'))).toBe(t('2027-01-04T09:00Z'));
    expect(cal.skippedHolidays).toHaveLength(1);
  });
});

describe('recurrence', () => {
  it('finds nth weekdays, leaps over missing dates and honours COUNT, UNTIL, INTERVAL', () => {
    const text = ics(
      'UID:a\nDTSTART;VALUE=DATE:20231123\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH\nSUMMARY:Thanksgiving',
      'UID:b\nDTSTART;VALUE=DATE:20240229\nRRULE:FREQ=YEARLY\nSUMMARY:Leap day',
      'UID:c\nDTSTART;VALUE=DATE:20250704\nRRULE:FREQ=YEARLY;COUNT=2\nSUMMARY:Counted',
      'UID:d\nDTSTART;VALUE=DATE:20250801\nRRULE:FREQ=YEARLY;UNTIL=20260801\nSUMMARY:Until',
      'UID:e\nDTSTART;VALUE=DATE:20240315\nRRULE:FREQ=YEARLY;INTERVAL=2\nSUMMARY:Every other year',
    );
    expect(holidays(text, 2026)).toEqual({
      '2026-07-04': 'Counted',
      '2026-08-01': 'Until',
      '2026-03-15': 'Every other year',
      '2026-11-26': 'Thanksgiving',
    });
    expect(holidays(text, 2027)).toEqual({ '2027-11-25': 'Thanksgiving' });
    expect(holidays(text, 2028)).toMatchObject({ '2028-02-29': 'Leap day', '2028-03-15': 'Every other year' });
  });

  it('removes EXDATEs and moved instances, adds RDATEs, and reads DURATION', () => {
    const text = ics(
      'UID:xmas\nDTSTART;VALUE=DATE:20241225\nRRULE:FREQ=YEARLY\nEXDATE;VALUE=DATE:20261225,20271225\nSUMMARY:Christmas',
      'UID:fair\nDTSTART;VALUE=DATE:20240610\nRRULE:FREQ=YEARLY\nSUMMARY:Fair',
      'UID:fair\nRECURRENCE-ID;VALUE=DATE:20260610\nDTSTART;VALUE=DATE:20260612\nSUMMARY:Fair (moved)',
      'UID:r\nDTSTART;VALUE=DATE:20260101\nRDATE;VALUE=DATE:20260301\nDURATION:P2D\nSUMMARY:Two days',
    );
    expect(holidays(text, 2026)).toEqual({
      '2026-01-01': 'Two days',
      '2026-01-02': 'Two days',
      '2026-03-01': 'Two days',
      '2026-03-02': 'Two days',
      '2026-06-12': 'Fair (moved)',
    });
    expect(holidays(text, 2028)).toEqual({ '2028-06-10': 'Fair', '2028-12-25': 'Christmas' });
  });

  it('skips what it cannot honour, with the reason', () => {
    const text = ics(
      'UID:w\nDTSTART;VALUE=DATE:20260105\nRRULE:FREQ=WEEKLY\nSUMMARY:Mondays',
      'UID:p\nDTSTART;VALUE=DATE:20260105\nRRULE:FREQ=YEARLY;BYSETPOS=1\nSUMMARY:Odd',
      'UID:c\nDTSTART;VALUE=DATE:20260105\nSTATUS:CANCELLED\nSUMMARY:Off',
    );
    expect(importHolidays(text).skipped.map((s) => [s.summary, s.reason])).toEqual([
      ['Mondays', 'RRULE FREQ=WEEKLY is not supported; only FREQ=YEARLY'],
      ['Odd', 'RRULE part BYSETPOS is not supported'],
      ['Off', 'cancelled'],
    ]);
  });
});

describe('malformed files', () => {
  const problem = (text: string) => {
    try {
      importHolidays(text, 'config/holidays.ics');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).problems[0];
    }
    throw new Error('expected a ConfigError');
  };

  it('names the file and line', () => {
    expect(
      problem('BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:2026-12-25\nEND:VEVENT\nEND:VCALENDAR'),
    ).toMatchObject({ file: 'config/holidays.ics', line: 3, message: expect.stringMatching(/not a date/) });
    expect(problem('BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR')).toMatchObject({
      line: 2,
      message: 'VEVENT without DTSTART',
    });
    expect(problem('BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VCALENDAR')).toMatchObject({ line: 3 });
    expect(problem('BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\n')).toMatchObject({ line: 2 });
    expect(problem('hello world')).toMatchObject({ line: 1 });
    expect(problem('')).toMatchObject({ message: expect.stringMatching(/VCALENDAR/) });
    expect(problem(ics('UID:z\nDTSTART;VALUE=DATE:20261225\nDTEND;VALUE=DATE:20261225'))).toMatchObject({
      message: expect.stringMatching(/DTEND is not after DTSTART/),
    });
  });

  it('reads quoted parameters holding separators', () => {
    const text = ics('UID:q\nDTSTART;X-NOTE="a;b:c";VALUE=DATE:20260505\nSUMMARY:Quoted');
    expect(holidays(text, 2026)).toEqual({ '2026-05-05': 'Quoted' });
  });

  it('unfolds CRLF, LF and CR line ends and keeps original line numbers', () => {
    expect(unfold('A:1\r\n B\r\nC:2\n\tD\rE:3')).toEqual([
      { text: 'A:1B', line: 1 },
      { text: 'C:2D', line: 3 },
      { text: 'E:3', line: 5 },
    ]);
  });
});
