/** Small statistics over durations and shares, shared by every KPI. */

export interface Spread {
  avgMs: number | null;
  medianMs: number | null;
  p90Ms: number | null;
}

export interface Timing {
  count: number;
  wall: Spread;
  business: Spread;
}

export interface Ratio {
  /** The denominator: what could have hit. */
  of: number;
  hits: number;
  /** hits / of, or null when there was nothing to count. */
  rate: number | null;
}

export function ratio(hits: number, of: number): Ratio {
  return { of, hits, rate: of === 0 ? null : hits / of };
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? null;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { avgMs: null, medianMs: null, p90Ms: null };
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return { avgMs: sum / sorted.length, medianMs: quantile(sorted, 0.5), p90Ms: quantile(sorted, 0.9) };
}

/** Spans in wall time and in the business time of their channel. */
export function timing(
  spans: { from: number; to: number; channel: string }[],
  businessMs: (a: number, b: number, channel: string) => number,
): Timing {
  return {
    count: spans.length,
    wall: spread(spans.map((s) => s.to - s.from)),
    business: spread(spans.map((s) => businessMs(s.from, s.to, s.channel))),
  };
}
