import type { ChannelName, Replies } from './channels.ts';

/**
 * What each suite measures, in the four figures the runner's last line adds
 * up: acknowledged messages never answered (lost), messages answered more
 * than once at the provider (duplicated), broken promises of the suite's own
 * kind (violations: requests inside a Retry-After window, a slow /healthz,
 * replies to nobody), and 5xx answers to providers.
 */
export interface Figures {
  suite: string;
  lost: number;
  duplicated: number;
  violations: number;
  fiveXX: number;
  /** Per-channel breakdown and the suite's own numbers, one line each. */
  details: string[];
  /** The suite could not run to the end: its figures are incomplete. */
  error?: string;
}

export const failed = (f: Figures) => f.error !== undefined || f.lost + f.duplicated + f.violations + f.fiveXX > 0;

/** A suite that threw: nothing measured, and the run fails. */
export const errored = (suite: string, error: string): Figures => ({
  suite,
  lost: 0,
  duplicated: 0,
  violations: 0,
  fiveXX: 0,
  details: [error],
  error,
});

/** Lost and duplicated messages per channel, from acknowledgements and raw reply counts. */
export function tally(
  acked: Map<ChannelName, Set<number>>,
  replies: Map<ChannelName, Replies>,
  offered?: Map<ChannelName, number>,
): { lost: number; duplicated: number; stray: number; details: string[] } {
  let lost = 0;
  let duplicated = 0;
  let stray = 0;
  const details: string[] = [];
  for (const [name, r] of replies) {
    const ok = acked.get(name) ?? new Set<number>();
    const missing = [...ok].filter((i) => !r.perMessage.has(i));
    const twice = [...r.perMessage].filter(([, n]) => n > 1);
    const extra = twice.reduce((sum, [, n]) => sum + n - 1, 0);
    lost += missing.length;
    duplicated += twice.length;
    stray += r.stray;
    const sample = (ids: number[]) => (ids.length > 0 ? ` e.g. #${ids.slice(0, 5).join(', #')}` : '');
    details.push(
      `${name.padEnd(8)} offered ${offered?.get(name) ?? '-'}, acked ${ok.size}, answered ${r.perMessage.size}; ` +
        `lost ${missing.length}${sample(missing)}; duplicated ${twice.length} (${extra} extra sends)${sample(twice.map(([i]) => i))}; ` +
        `stray ${r.stray}${r.sameIdResends ? `; resent under the same Message-ID ${r.sameIdResends}` : ''}`,
    );
  }
  return { lost, duplicated, stray, details };
}

type Figure = 'lost' | 'duplicated' | 'violations' | 'fiveXX';

/** Some of the four figures, to compare at once: `expect(some(f, 'lost', 'fiveXX')).toEqual({ lost: 0, fiveXX: 0 })`. */
export function some(f: Figures, ...which: Figure[]): Partial<Record<Figure, number>> {
  return Object.fromEntries(which.map((k) => [k, f[k]]));
}

export function printFigures(f: Figures, out: (s: string) => void): void {
  out(
    f.error
      ? `[${f.suite}] did not finish`
      : `[${f.suite}] lost ${f.lost}, duplicated ${f.duplicated}, violations ${f.violations}, 5xx ${f.fiveXX}`,
  );
  for (const d of f.details) out(`  ${d}`);
}

/** The runner's last line: the four figures summed over the suites that ran. */
export function summaryLine(all: Figures[], seconds: number): string {
  const sum = (k: Figure) => all.reduce((n, f) => n + f[k], 0);
  const bad = all.filter(failed).map((f) => (f.error ? `${f.suite} (did not finish)` : f.suite));
  return (
    `reliability: lost=${sum('lost')} duplicated=${sum('duplicated')} violations=${sum('violations')} 5xx=${sum('fiveXX')} ` +
    `(${all.map((f) => f.suite).join(', ')}; ${Math.round(seconds)} s) ${bad.length === 0 ? 'PASS' : `FAIL: ${bad.join(', ')}`}`
  );
}

/** `sms 200×279 none×4, slack …`: the router's answers to each channel's webhooks. */
export function statuses(m: Map<string, Map<number, number>>): string {
  const one = (byStatus: Map<number, number>) =>
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s === 0 ? 'none' : s}×${n}`)
      .join(' ');
  return [...m].map(([name, byStatus]) => `${name} ${one(byStatus)}`).join(', ');
}
