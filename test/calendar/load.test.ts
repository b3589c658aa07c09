import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCalendar } from '../../src/calendar/load.ts';
import { ConfigError } from '../../src/errors.ts';
import { businessFile } from '../../src/settings/schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'touchpoint-calendar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'holidays.ics'), readFileSync(new URL('./fixtures/holidays.ics', import.meta.url)));

describe('business.yaml', () => {
  it('keeps the example config valid', () => {
    const example = parse(readFileSync(new URL('../../config/business.yaml', import.meta.url), 'utf8'));
    expect(businessFile.safeParse(example).success).toBe(true);
  });

  it('accepts every calendar setting and documents them', () => {
    const parsed = businessFile.parse({
      name: 'Shop',
      timezone: 'America/New_York',
      hours: { mon: ['09:00-12:00', '13:00-24:00'] },
      holidays: ['2026-07-04', { date: '2026-11-26', name: 'Thanksgiving' }],
      holidayCalendar: 'holidays.ics',
      closures: [{ from: '2026-08-03 12:00', to: '2026-08-03T15:00', note: 'training', channels: ['phone'] }],
      extendedHours: [{ date: '2026-12-24', slots: ['09:00-12:00'] }],
      channelHours: { phone: { mon: ['09:00-17:00'] } },
    });
    expect(parsed.closures[0]?.channels).toEqual(['phone']);
    const closures = businessFile.shape.closures;
    expect(closures.description).toMatch(/One-off closures/);
  });

  it('rejects bad hours, dates and timezones', () => {
    for (const bad of [
      { timezone: 'Europe/Londn' },
      { hours: { mon: ['09:00-24:30'] } },
      { hours: { mon: ['12:00-12:00'] } },
      { holidays: ['2026-13-01'] },
      { extendedHours: [{ date: '2026-12-24' }] },
      { closures: [{ from: '2026-08-03 15:00', to: '2026-08-03 12:00' }] },
      { channelHours: { phone: { someday: ['09:00-17:00'] } } },
    ]) {
      expect(businessFile.safeParse({ name: 'Shop', ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('loadCalendar', () => {
  const settings = businessFile.parse({
    name: 'Shop',
    timezone: 'Europe/London',
    hours: { mon: ['09:00-17:00'], fri: ['09:00-17:00'] },
    holidayCalendar: 'holidays.ics',
  });

  it('reads the holiday calendar relative to the config folder', () => {
    const warnings: unknown[] = [];
    const log = { warn: (obj: unknown) => warnings.push(obj) } as unknown as Parameters<typeof loadCalendar>[2];
    const cal = loadCalendar(settings, dir, log);
    expect(cal.isOpen(Date.parse('2026-12-25T10:00Z'))).toBe(false);
    expect(cal.isOpen(Date.parse('2026-12-28T10:00Z'))).toBe(true);
    expect(warnings).toEqual([expect.objectContaining({ summary: 'Staff party' })]);
  });

  it('reports a missing file as a config problem on holidayCalendar', () => {
    try {
      loadCalendar({ ...settings, holidayCalendar: 'missing.ics' }, dir);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems[0]).toMatchObject({ path: 'holidayCalendar', message: /does not exist/ });
    }
  });

  it('reports a malformed file with its own name and line', () => {
    writeFileSync(join(dir, 'broken.ics'), 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VCALENDAR\n');
    expect(() => loadCalendar({ ...settings, holidayCalendar: 'broken.ics' }, dir)).toThrow(/broken\.ics:3/);
  });
});
