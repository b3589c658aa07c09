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

function quantile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? null;
}

/** Sorts `values` in place: a typed array sorts by number without a comparator, several times faster. */
export function spreadOf(values: Float64Array): Spread {
  if (values.length === 0) return { avgMs: null, medianMs: null, p90Ms: null };
  values.sort();
  let sum = 0;
  for (const v of values) sum += v;
  return { avgMs: sum / values.length, medianMs: quantile(values, 0.5), p90Ms: quantile(values, 0.9) };
}
