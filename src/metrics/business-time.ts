import type { BusinessCalendar } from '../calendar/calendar.ts';

/**
 * Business time between many pairs of instants within [from, to): the open
 * intervals of each channel are read from the calendar once, then each span
 * is two binary searches over their running totals. Asking the calendar
 * span by span walks every day of every span, which a backlog months old
 * makes slow.
 */
export function businessTimer(
  calendar: BusinessCalendar,
  from: number,
  to: number,
): (a: number, b: number, channel: string) => number {
  const byChannel = new Map<string, { starts: number[]; ends: number[]; before: number[] }>();
  const of = (channel: string) => {
    let c = byChannel.get(channel);
    if (!c) {
      const intervals = calendar.openIntervals(from, to, channel);
      const before: number[] = [];
      let sum = 0;
      for (const i of intervals) {
        before.push(sum);
        sum += i.end - i.start;
      }
      c = { starts: intervals.map((i) => i.start), ends: intervals.map((i) => i.end), before };
      byChannel.set(channel, c);
    }
    return c;
  };
  /** Open time in [from, t). */
  const upTo = (c: { starts: number[]; ends: number[]; before: number[] }, t: number) => {
    let lo = 0;
    let hi = c.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((c.starts[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return 0;
    const i = lo - 1;
    return (c.before[i] as number) + Math.min(t, c.ends[i] as number) - (c.starts[i] as number);
  };
  return (a, b, channel) => {
    if (a < from || b > to) return calendar.businessMsBetween(a, b, channel);
    if (b < a) return -(upTo(of(channel), a) - upTo(of(channel), b));
    const c = of(channel);
    return upTo(c, b) - upTo(c, a);
  };
}
