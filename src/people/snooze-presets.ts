import { weekdayIndex } from '../calendar/civil.ts';
import { instantOf, localAt } from '../calendar/zone.ts';
import type { DeskHost } from './desk-events.ts';

export const SNOOZE_PRESETS = ['1h', '4h', 'tomorrow', 'next-week'] as const;
export type SnoozePreset = (typeof SNOOZE_PRESETS)[number];

export const SNOOZE_LABELS: Record<SnoozePreset, string> = {
  '1h': 'For 1 hour',
  '4h': 'For 4 hours',
  tomorrow: 'Until tomorrow’s opening',
  'next-week': 'Until next week’s opening',
};

/**
 * When a snooze preset ends, in business time: `tomorrow` is the first
 * opening from tomorrow's local midnight on (9:00 when the shop opens at 9,
 * Monday's opening on a Friday when closed at weekends), `next-week` the first
 * from next Monday. Without an opening within a year, the local midnight itself.
 */
export function snoozeUntil(
  preset: SnoozePreset,
  now: number,
  calendar: DeskHost['calendar'],
  channel?: string,
): number {
  if (preset === '1h') return now + 3_600_000;
  if (preset === '4h') return now + 4 * 3_600_000;
  const today = localAt(calendar.timeZone, now).day;
  const day = preset === 'tomorrow' ? today + 1 : today + 7 - weekdayIndex(today);
  const midnight = instantOf(calendar.timeZone, day, 0, 'earliest');
  return calendar.nextOpening(midnight, channel) ?? midnight;
}
