import { describe, expect, it } from 'vitest';
import { formatOpening } from '../../src/calendar/format.ts';

const t = (iso: string) => Date.parse(iso);
const london = { businessTimeZone: 'Europe/London' };

describe('formatOpening', () => {
  it('says today, tomorrow, a weekday or a date, in the business timezone by default', () => {
    expect(formatOpening(t('2026-01-07T14:00Z'), t('2026-01-07T13:30Z'), london)).toBe('today at 14:00');
    expect(formatOpening(t('2026-01-09T08:00Z'), t('2026-01-08T18:00Z'), london)).toBe('tomorrow at 8:00');
    expect(formatOpening(t('2026-01-12T09:00Z'), t('2026-01-09T23:00Z'), london)).toBe('Monday at 9:00');
    expect(formatOpening(t('2026-01-20T09:00Z'), t('2026-01-09T23:00Z'), london)).toBe('Tuesday, January 20 at 9:00');
    expect(formatOpening(t('2026-01-07T13:00Z'), t('2026-01-07T13:30Z'), london)).toBe('now');
  });

  it('uses the customer’s timezone when known', () => {
    const now = t('2026-01-07T20:00Z');
    const opening = t('2026-01-08T09:00Z');
    expect(formatOpening(opening, now, london)).toBe('tomorrow at 9:00');
    expect(formatOpening(opening, now, { ...london, customerTimeZone: 'Asia/Tokyo' })).toBe('today at 18:00');
    expect(formatOpening(opening, now, { ...london, customerTimeZone: 'America/New_York' })).toBe('tomorrow at 4:00');
    expect(formatOpening(opening, now, { ...london, customerTimeZone: 'Nowhere/Special' })).toBe('tomorrow at 9:00');
  });

  it('speaks the customer’s language, falling back to English', () => {
    const now = t('2026-01-09T23:00Z');
    const monday = t('2026-01-12T09:00Z');
    expect(formatOpening(monday, now, { ...london, language: 'de' })).toBe('Montag um 9:00 Uhr');
    expect(formatOpening(monday, now, { ...london, language: 'fr-FR' })).toBe('lundi à 9:00');
    expect(formatOpening(t('2026-01-10T10:30Z'), now, { ...london, language: 'es' })).toBe('mañana a las 10:30');
    expect(formatOpening(monday, now, { ...london, language: 'en-GB' })).toBe('Monday at 9:00');
    expect(formatOpening(monday, now, { ...london, language: 'xx' })).toBe('Monday at 9:00');
    expect(formatOpening(t('2026-01-20T09:00Z'), now, { ...london, language: 'en-GB' })).toBe(
      'Tuesday 20 January at 9:00',
    );
  });
});

describe('formatOpening on bad input', () => {
  it('refuses instants that are not numbers of ms', () => {
    expect(() => formatOpening(Number.NaN, 0, london)).toThrow(/epoch milliseconds/);
  });
});
