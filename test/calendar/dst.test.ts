import { describe, expect, it } from 'vitest';
import { createCalendar } from '../../src/calendar/calendar.ts';
import { parseIsoDate } from '../../src/calendar/civil.ts';
import { instantOf, localAt } from '../../src/calendar/zone.ts';

// Instants are written with their real UTC offset, so they do not rely on the code under test.
const t = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const weekdays = ['09:00-17:00'];
const allDay = ['00:00-24:00'];
const week = { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays, sun: ['01:00-03:00'] };
const everyDay = { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay };
const day = (date: string) => parseIsoDate(date) as number;

describe('Europe/London', () => {
  const cal = createCalendar({ timezone: 'Europe/London', hours: week });
  const around = createCalendar({ timezone: 'Europe/London', hours: everyDay });

  it('keeps 09:00-17:00 local on both sides of spring-forward (29 March 2026)', () => {
    expect(cal.openIntervals(t('2026-03-27T00:00Z'), t('2026-03-28T00:00Z'))).toEqual([
      { start: t('2026-03-27T09:00+00:00'), end: t('2026-03-27T17:00+00:00') },
    ]);
    expect(cal.openIntervals(t('2026-03-30T00:00Z'), t('2026-03-31T00:00Z'))).toEqual([
      { start: t('2026-03-30T09:00+01:00'), end: t('2026-03-30T17:00+01:00') },
    ]);
    expect(cal.nextOpening(t('2026-03-27T23:00+00:00'))).toBe(t('2026-03-29T01:00+00:00'));
  });

  it('shortens a 01:00-03:00 slot to an hour when the clock skips 01:00-02:00', () => {
    expect(cal.openIntervals(t('2026-03-29T00:00Z'), t('2026-03-30T00:00Z'))).toEqual([
      { start: t('2026-03-29T01:00+00:00'), end: t('2026-03-29T03:00+01:00') },
    ]);
    expect(cal.businessMsBetween(t('2026-03-27T00:00Z'), t('2026-03-31T00:00+01:00'))).toBe((8 + 1 + 8) * HOUR);
    expect(around.businessMsBetween(t('2026-03-29T00:00+00:00'), t('2026-03-30T00:00+01:00'))).toBe(23 * HOUR);
  });

  it('lengthens a 01:00-03:00 slot to three hours when the clock repeats 01:00-02:00 (25 October 2026)', () => {
    expect(cal.openIntervals(t('2026-10-25T00:00Z'), t('2026-10-26T00:00Z'))).toEqual([
      { start: t('2026-10-25T01:00+01:00'), end: t('2026-10-25T03:00+00:00') },
    ]);
    expect(cal.isOpen(t('2026-10-25T01:30+00:00'))).toBe(true);
    expect(cal.businessMsBetween(t('2026-10-23T00:00+01:00'), t('2026-10-27T00:00+00:00'))).toBe((8 + 3 + 8) * HOUR);
    expect(around.businessMsBetween(t('2026-10-25T00:00+01:00'), t('2026-10-26T00:00+00:00'))).toBe(25 * HOUR);
  });

  it('keeps 09:00-17:00 local after fall-back', () => {
    expect(cal.nextOpening(t('2026-10-24T12:00Z'))).toBe(t('2026-10-25T01:00+01:00'));
    expect(cal.nextOpening(t('2026-10-25T04:00Z'))).toBe(t('2026-10-26T09:00+00:00'));
    expect(cal.nextClosing(t('2026-10-26T10:00Z'))).toBe(t('2026-10-26T17:00+00:00'));
  });

  it('adds business time across the change', () => {
    expect(cal.addBusinessMs(t('2026-03-27T16:00+00:00'), 2 * HOUR)).toBe(t('2026-03-29T03:00+01:00'));
    expect(cal.addBusinessMs(t('2026-03-27T16:00+00:00'), 3 * HOUR)).toBe(t('2026-03-30T10:00+01:00'));
  });
});

describe('America/New_York', () => {
  const cal = createCalendar({ timezone: 'America/New_York', hours: week });

  it('keeps 09:00-17:00 local across spring-forward (8 March 2026)', () => {
    expect(cal.nextOpening(t('2026-03-06T23:00-05:00'))).toBe(t('2026-03-08T01:00-05:00'));
    expect(cal.nextOpening(t('2026-03-08T05:00-04:00'))).toBe(t('2026-03-09T09:00-04:00'));
    expect(cal.openIntervals(t('2026-03-08T00:00-05:00'), t('2026-03-09T00:00-04:00'))).toEqual([
      { start: t('2026-03-08T01:00-05:00'), end: t('2026-03-08T03:00-04:00') },
    ]);
    expect(cal.businessMsBetween(t('2026-03-06T00:00-05:00'), t('2026-03-10T00:00-04:00'))).toBe((8 + 1 + 8) * HOUR);
  });

  it('counts three hours in 01:00-03:00 on fall-back (1 November 2026)', () => {
    expect(cal.businessMsBetween(t('2026-10-30T00:00-04:00'), t('2026-11-03T00:00-05:00'))).toBe((8 + 3 + 8) * HOUR);
    expect(cal.nextOpening(t('2026-10-31T12:00-04:00'))).toBe(t('2026-11-01T01:00-04:00'));
    expect(cal.nextClosing(t('2026-11-01T01:30-05:00'))).toBe(t('2026-11-01T03:00-05:00'));
    expect(cal.nextOpening(t('2026-11-01T04:00-05:00'))).toBe(t('2026-11-02T09:00-05:00'));
  });

  it('closes a slot ending at a repeated time the last time the clock shows it', () => {
    const late = createCalendar({ timezone: 'America/New_York', hours: { sun: ['00:00-01:30'] } });
    expect(late.openIntervals(t('2026-11-01T00:00-04:00'), t('2026-11-02T00:00-05:00'))).toEqual([
      { start: t('2026-11-01T00:00-04:00'), end: t('2026-11-01T01:30-05:00') },
    ]);
  });

  it('drops a slot the clock skips and starts a slot that begins in the gap when the clock jumps', () => {
    const gap = createCalendar({ timezone: 'America/New_York', hours: { sun: ['02:15-02:45'] } });
    expect(gap.businessMsBetween(t('2026-03-08T00:00-05:00'), t('2026-03-09T00:00-04:00'))).toBe(0);
    expect(gap.businessMsBetween(t('2026-03-15T00:00-04:00'), t('2026-03-16T00:00-04:00'))).toBe(HOUR / 2);
    const startsInGap = createCalendar({
      timezone: 'America/New_York',
      extendedHours: [{ date: '2026-03-08', slots: ['02:30-04:00'] }],
    });
    expect(startsInGap.openIntervals(t('2026-03-08T00:00-05:00'), t('2026-03-09T00:00-04:00'))).toEqual([
      { start: t('2026-03-08T03:00-04:00'), end: t('2026-03-08T04:00-04:00') },
    ]);
  });
});

describe('local time → instant', () => {
  it('maps times shown once, twice and never', () => {
    expect(instantOf('Europe/London', day('2026-07-01'), 9 * 60, 'earliest')).toBe(t('2026-07-01T09:00+01:00'));
    expect(instantOf('America/New_York', day('2026-11-01'), 90, 'earliest')).toBe(t('2026-11-01T01:30-04:00'));
    expect(instantOf('America/New_York', day('2026-11-01'), 90, 'latest')).toBe(t('2026-11-01T01:30-05:00'));
    expect(instantOf('America/New_York', day('2026-03-08'), 150, 'earliest')).toBe(t('2026-03-08T03:00-04:00'));
    expect(instantOf('Australia/Lord_Howe', day('2026-10-04'), 2 * 60 + 10, 'latest')).toBe(
      t('2026-10-04T02:30+11:00'),
    );
  });

  it('reads the local day and minute of an instant', () => {
    expect(localAt('Asia/Kolkata', t('2026-01-05T20:00Z'))).toEqual({ day: day('2026-01-06'), minute: 90 });
    expect(localAt('America/New_York', t('2026-01-05T03:00Z'))).toEqual({ day: day('2026-01-04'), minute: 22 * 60 });
  });
});
