import { describe, expect, it } from 'vitest';
import { createCalendar } from '../../src/calendar/calendar.ts';
import { ConfigError, TouchpointError } from '../../src/errors.ts';

// London in January is on GMT, so these UTC instants read as local wall times.
const t = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const weekdays = ['09:00-17:00'];

const shop = createCalendar({
  timezone: 'Europe/London',
  hours: { mon: weekdays, tue: weekdays, wed: ['09:00-13:00', '14:00-18:00'], thu: weekdays, fri: weekdays },
  holidays: ['2026-01-19', { date: '2026-12-25', name: 'Christmas Day' }],
});

describe('split shifts', () => {
  it('is open in each slot and closed between them', () => {
    expect(shop.isOpen(t('2026-01-07T12:30Z'))).toBe(true);
    expect(shop.isOpen(t('2026-01-07T13:30Z'))).toBe(false);
    expect(shop.isOpen(t('2026-01-07T14:30Z'))).toBe(true);
  });

  it('closes at the end of the first slot and opens at the start of the second', () => {
    expect(shop.nextClosing(t('2026-01-07T12:30Z'))).toBe(t('2026-01-07T13:00Z'));
    expect(shop.nextOpening(t('2026-01-07T13:30Z'))).toBe(t('2026-01-07T14:00Z'));
    expect(shop.businessMinutesBetween(t('2026-01-07T00:00Z'), t('2026-01-08T00:00Z'))).toBe(8 * 60);
  });

  it('treats slot bounds as half-open: open at the start, closed at the end', () => {
    expect(shop.isOpen(t('2026-01-07T09:00Z'))).toBe(true);
    expect(shop.isOpen(t('2026-01-07T13:00Z'))).toBe(false);
    expect(shop.isOpen(t('2026-01-07T08:59:59.999Z'))).toBe(false);
  });
});

describe('next opening and closing', () => {
  it('goes from 23:00 on Friday to Monday 09:00', () => {
    expect(shop.nextOpening(t('2026-01-09T23:00Z'))).toBe(t('2026-01-12T09:00Z'));
  });

  it('returns the instant itself when already open (or already closed)', () => {
    expect(shop.nextOpening(t('2026-01-08T10:00Z'))).toBe(t('2026-01-08T10:00Z'));
    expect(shop.nextClosing(t('2026-01-08T20:00Z'))).toBe(t('2026-01-08T20:00Z'));
  });

  it('skips a holiday, which is closed all day', () => {
    expect(shop.isOpen(t('2026-01-19T10:00Z'))).toBe(false);
    expect(shop.nextOpening(t('2026-01-16T23:00Z'))).toBe(t('2026-01-20T09:00Z'));
    expect(shop.holidayAt(t('2026-12-25T12:00Z'))).toBe('Christmas Day');
    expect(shop.holidayAt(t('2026-01-19T12:00Z'))).toBe('Holiday');
    expect(shop.holidayAt(t('2026-01-20T12:00Z'))).toBeNull();
  });
});

describe('business time', () => {
  it('counts no time over a weekend', () => {
    expect(shop.businessMinutesBetween(t('2026-01-09T15:00Z'), t('2026-01-12T11:00Z'))).toBe(240);
    expect(shop.businessMsBetween(t('2026-01-12T11:00Z'), t('2026-01-09T15:00Z'))).toBe(-4 * HOUR);
    expect(shop.businessMsBetween(t('2026-01-10T08:00Z'), t('2026-01-11T20:00Z'))).toBe(0);
  });

  it('adds business time across closing time', () => {
    expect(shop.addBusinessMs(t('2026-01-08T16:00Z'), 2 * HOUR)).toBe(t('2026-01-09T10:00Z'));
    expect(shop.addBusinessMs(t('2026-01-08T16:00Z'), HOUR)).toBe(t('2026-01-08T17:00Z'));
    expect(shop.addBusinessMs(t('2026-01-07T12:00Z'), 2 * HOUR)).toBe(t('2026-01-07T15:00Z'));
  });

  it('adds business time across a weekend and a holiday', () => {
    expect(shop.addBusinessMs(t('2026-01-16T16:00Z'), 2 * HOUR)).toBe(t('2026-01-20T10:00Z'));
  });

  it('starts counting at the next opening when added while closed', () => {
    expect(shop.addBusinessMs(t('2026-01-10T12:00Z'), 30 * 60_000)).toBe(t('2026-01-12T09:30Z'));
    expect(shop.addBusinessMs(t('2026-01-10T12:00Z'), 0)).toBe(t('2026-01-10T12:00Z'));
  });

  it('agrees with businessMsBetween', () => {
    const from = t('2026-01-05T11:17Z');
    for (const hours of [1, 7, 13, 40]) {
      const due = shop.addBusinessMs(from, hours * HOUR) as number;
      expect(shop.businessMsBetween(from, due)).toBe(hours * HOUR);
    }
  });

  it('lists open intervals clipped to the range', () => {
    expect(shop.openIntervals(t('2026-01-07T10:00Z'), t('2026-01-08T12:00Z'))).toEqual([
      { start: t('2026-01-07T10:00Z'), end: t('2026-01-07T13:00Z') },
      { start: t('2026-01-07T14:00Z'), end: t('2026-01-07T18:00Z') },
      { start: t('2026-01-08T09:00Z'), end: t('2026-01-08T12:00Z') },
    ]);
  });
});

describe('one-off closures', () => {
  const cal = createCalendar({
    timezone: 'Europe/London',
    hours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
    closures: [
      { from: '2026-01-13 12:00', to: '2026-01-13 15:00', note: 'staff training' },
      { from: '2026-02-02', to: '2026-02-03', note: 'stocktake' },
    ],
  });

  it('closes for part of a day', () => {
    expect(cal.isOpen(t('2026-01-13T11:00Z'))).toBe(true);
    expect(cal.isOpen(t('2026-01-13T13:00Z'))).toBe(false);
    expect(cal.nextClosing(t('2026-01-13T11:00Z'))).toBe(t('2026-01-13T12:00Z'));
    expect(cal.nextOpening(t('2026-01-13T12:30Z'))).toBe(t('2026-01-13T15:00Z'));
    expect(cal.businessMinutesBetween(t('2026-01-13T00:00Z'), t('2026-01-14T00:00Z'))).toBe(300);
  });

  it('closes whole days, the end date included', () => {
    expect(cal.nextOpening(t('2026-02-02T08:00Z'))).toBe(t('2026-02-04T09:00Z'));
  });
});

describe('special days (extendedHours)', () => {
  const cal = createCalendar({
    timezone: 'Europe/London',
    hours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
    holidays: ['2026-12-25'],
    extendedHours: [
      { date: '2026-01-10', slots: ['10:00-14:00'], note: 'January sale' },
      { date: '2026-01-14', slots: ['08:00-20:00'] },
      { date: '2026-01-15', slots: [] },
      { date: '2026-12-25', slots: ['10:00-12:00'], channels: ['webchat'] },
    ],
  });

  it('opens on a day that is normally closed', () => {
    expect(cal.isOpen(t('2026-01-10T11:00Z'))).toBe(true);
    expect(cal.nextOpening(t('2026-01-09T23:00Z'))).toBe(t('2026-01-10T10:00Z'));
  });

  it('replaces a day’s weekly hours, longer or closed', () => {
    expect(cal.isOpen(t('2026-01-14T19:00Z'))).toBe(true);
    expect(cal.isOpen(t('2026-01-15T10:00Z'))).toBe(false);
    expect(cal.nextOpening(t('2026-01-15T08:00Z'))).toBe(t('2026-01-16T09:00Z'));
  });

  it('can open one channel on a holiday while the others stay closed', () => {
    expect(cal.isOpen(t('2026-12-25T11:00Z'), 'webchat')).toBe(true);
    expect(cal.isOpen(t('2026-12-25T11:00Z'), 'email')).toBe(false);
    expect(cal.isOpen(t('2026-12-25T11:00Z'))).toBe(false);
  });
});

describe('per-channel hours', () => {
  const cal = createCalendar({
    timezone: 'Europe/London',
    hours: { mon: ['08:00-20:00'], fri: ['08:00-20:00'], sat: ['10:00-16:00'] },
    holidays: ['2026-01-12'],
    channelHours: { phone: { mon: weekdays, fri: weekdays } },
  });

  it('uses the channel’s own hours, and the default hours for other channels', () => {
    expect(cal.isOpen(t('2026-01-05T18:00Z'))).toBe(true);
    expect(cal.isOpen(t('2026-01-05T18:00Z'), 'phone')).toBe(false);
    expect(cal.isOpen(t('2026-01-05T18:00Z'), 'email')).toBe(true);
    expect(cal.nextClosing(t('2026-01-05T10:00Z'), 'phone')).toBe(t('2026-01-05T17:00Z'));
  });

  it('applies holidays to every channel', () => {
    expect(cal.nextOpening(t('2026-01-10T11:00Z'), 'phone')).toBe(t('2026-01-16T09:00Z'));
    expect(cal.nextOpening(t('2026-01-10T17:00Z'))).toBe(t('2026-01-16T08:00Z'));
  });
});

describe('edges of the week', () => {
  it('joins slots across midnight into one open spell', () => {
    const cal = createCalendar({ timezone: 'Europe/London', hours: { fri: ['20:00-24:00'], sat: ['00:00-02:00'] } });
    expect(cal.nextClosing(t('2026-01-09T21:00Z'))).toBe(t('2026-01-10T02:00Z'));
    expect(cal.openIntervals(t('2026-01-09T00:00Z'), t('2026-01-11T00:00Z'))).toEqual([
      { start: t('2026-01-09T20:00Z'), end: t('2026-01-10T02:00Z') },
    ]);
  });

  it('never closes when open around the clock', () => {
    const allDay = ['00:00-24:00'];
    const cal = createCalendar({
      timezone: 'UTC',
      hours: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
    });
    expect(cal.nextClosing(t('2026-01-07T12:00Z'))).toBeNull();
    expect(cal.nextOpening(t('2026-01-07T12:00Z'))).toBe(t('2026-01-07T12:00Z'));
    expect(cal.businessMsBetween(t('2026-01-07T12:00Z'), t('2026-01-10T12:00Z'))).toBe(72 * HOUR);
  });

  it('gives null when never open', () => {
    const cal = createCalendar({ timezone: 'Europe/London' });
    expect(cal.isOpen(t('2026-01-07T12:00Z'))).toBe(false);
    expect(cal.nextOpening(t('2026-01-07T12:00Z'))).toBeNull();
    expect(cal.nextClosing(t('2026-01-07T12:00Z'))).toBe(t('2026-01-07T12:00Z'));
    expect(cal.addBusinessMs(t('2026-01-07T12:00Z'), HOUR)).toBeNull();
  });

  it('closes for good after the last special day', () => {
    const cal = createCalendar({ timezone: 'UTC', extendedHours: [{ date: '2026-01-07', slots: ['00:00-24:00'] }] });
    expect(cal.nextClosing(t('2026-01-07T12:00Z'))).toBe(t('2026-01-08T00:00Z'));
  });
});

describe('bad input', () => {
  it('rejects an unknown timezone and malformed hours with a ConfigError naming the setting', () => {
    expect(() => createCalendar({ timezone: 'Mars/Olympus_Mons' })).toThrow(ConfigError);
    try {
      createCalendar({ timezone: 'UTC', hours: { mon: ['17:00-09:00'] } }, { file: 'config/business.yaml' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems[0]).toMatchObject({ file: 'config/business.yaml', path: 'hours.mon[0]' });
    }
  });

  it('rejects closures that end before they start and impossible dates', () => {
    expect(() => createCalendar({ timezone: 'UTC', closures: [{ from: '2026-01-02', to: '2026-01-01' }] })).toThrow(
      /closure must end after it starts/,
    );
    expect(() => createCalendar({ timezone: 'UTC', holidays: ['2026-02-30'] })).toThrow(/real calendar date/);
  });

  it('refuses a named holiday calendar whose text was not given', () => {
    expect(() => createCalendar({ timezone: 'UTC', holidayCalendar: 'holidays.ics' })).toThrow(TouchpointError);
  });

  it('rejects instants and durations that are not numbers of ms', () => {
    expect(() => shop.isOpen(Number.NaN)).toThrow(/epoch milliseconds/);
    expect(() => shop.addBusinessMs(t('2026-01-07T12:00Z'), -1)).toThrow(/≥ 0/);
    expect(() => shop.openIntervals(0, 8e14)).toThrow(/too long/);
  });
});
