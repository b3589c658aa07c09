/** Half-open spans of epoch ms, [start, end). */
export interface Interval {
  start: number;
  end: number;
}

/** Sorted, with overlapping or touching spans joined and empty ones dropped. */
export function mergeIntervals(list: readonly Interval[]): Interval[] {
  const sorted = list.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

/** `list` (merged) with every part covered by `cuts` removed. */
export function subtractIntervals(list: readonly Interval[], cuts: readonly Interval[]): Interval[] {
  let out = list.map((i) => ({ ...i }));
  for (const cut of cuts) {
    out = out.flatMap((i) => {
      if (cut.end <= i.start || cut.start >= i.end) return [i];
      const parts: Interval[] = [];
      if (cut.start > i.start) parts.push({ start: i.start, end: cut.start });
      if (cut.end < i.end) parts.push({ start: cut.end, end: i.end });
      return parts;
    });
  }
  return out;
}

export function clipIntervals(list: readonly Interval[], from: number, to: number): Interval[] {
  return list.map((i) => ({ start: Math.max(i.start, from), end: Math.min(i.end, to) })).filter((i) => i.end > i.start);
}

export function totalLength(list: readonly Interval[]): number {
  return list.reduce((sum, i) => sum + (i.end - i.start), 0);
}
