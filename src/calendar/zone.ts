import { MS_PER_DAY } from './civil.ts';

/**
 * Wall-clock time in an IANA timezone, through Intl (Temporal is not in
 * Node 24). A "wall" value is the local date and time encoded as if it were
 * UTC epoch ms, so local arithmetic is plain arithmetic.
 *
 * Mapping a local time to an instant (the rule the calendar documents):
 * - a time the clock shows once maps to that instant;
 * - a time the clock shows twice (fall-back) maps to the first showing for a
 *   slot's start and the last showing for its end, so the slot covers every
 *   moment the clock reads inside it (and is longer that day);
 * - a time the clock skips (spring-forward) maps to the moment of the jump,
 *   so a slot loses exactly the skipped part (and a slot wholly inside the
 *   gap is empty).
 */

export type Pick = 'earliest' | 'latest';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(name: string): boolean {
  if (name.trim() === '') return false;
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

/** The local wall time at `instant`, encoded as UTC ms. */
export function wallAt(timeZone: string, instant: number): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    fields.year ?? 1970,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
  return wall + (((instant % 1000) + 1000) % 1000);
}

/** UTC offset in ms at `instant` (wall − instant). */
export function offsetAt(timeZone: string, instant: number): number {
  return wallAt(timeZone, instant) - instant;
}

/** The local day number and minute of day at `instant`. */
export function localAt(timeZone: string, instant: number): { day: number; minute: number } {
  const wall = wallAt(timeZone, instant);
  const day = Math.floor(wall / MS_PER_DAY);
  return { day, minute: Math.floor((wall - day * MS_PER_DAY) / 60_000) };
}

/** The instant the local clock shows `minute` (0–1440) on `day`; see the rule above. */
export function instantOf(timeZone: string, day: number, minute: number, pick: Pick): number {
  const wall = day * MS_PER_DAY + minute * 60_000;
  // offsets a day either side bracket any single transition near this wall time
  const before = offsetAt(timeZone, wall - MS_PER_DAY);
  const after = offsetAt(timeZone, wall + MS_PER_DAY);
  const candidates = [wall - before, wall - after].filter((i) => wallAt(timeZone, i) === wall);
  if (candidates.length > 0) return pick === 'earliest' ? Math.min(...candidates) : Math.max(...candidates);
  if (after <= before) return wall - before;
  return jumpBetween(timeZone, wall - after, wall - before, before);
}

/** The first instant in (lo, hi] whose offset is no longer `oldOffset`, to the second. */
function jumpBetween(timeZone: string, lo: number, hi: number, oldOffset: number): number {
  let [a, b] = [lo, hi];
  for (let i = 0; i < 64 && b - a > 1000; i++) {
    const mid = a + Math.floor((b - a) / 2000) * 1000;
    if (offsetAt(timeZone, mid) === oldOffset) a = mid;
    else b = mid;
  }
  return b;
}
