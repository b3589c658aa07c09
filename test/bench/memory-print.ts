import { rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { cliMs, lagP99, type StoreRound, startUpRss, storeRound, timersPerBatch } from './memory-bench.ts';
import { memoryStore } from './memory-seed.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/**
 * `BENCH_CASES=memory`: start-up, CLI commands and the SMS router over a big
 * store against an empty one (BENCH_MEMORY_CONVERSATIONS, 100,000), BENCH_ROUNDS
 * rounds each, medians, PASS or FAIL against issue 16's targets.
 */
export async function printMemory(out: (s: string) => void, rounds: number): Promise<void> {
  const conversations = Number(process.env.BENCH_MEMORY_CONVERSATIONS ?? 100_000);
  out(`Memory and start-up, ${rounds} rounds (medians; load average before ${load()}):`);

  const starts = [];
  for (let i = 0; i < rounds; i++) starts.push(await startUpRss());
  const rss = median(starts.map((s) => s.rss));
  out(
    `  touchpoint start, example config: RSS ${rss.toFixed(0)} MB (${starts.map((s) => s.rss.toFixed(0)).join(', ')}), started in ${median(starts.map((s) => s.startMs)).toFixed(0)} ms; target ≤ 120 MB: ${verdict(rss <= 120)}`,
  );

  // The first run of a command fills Node's compile cache; the medians are of the runs after it.
  const seeded = await memoryStore(conversations);
  try {
    const commands: [string, string[]][] = [
      ['touchpoint --help', ['--help']],
      ['touchpoint check', ['check']],
      [`conversations list (${conversations} stored)`, ['conversations', 'list', '--data', seeded.dir]],
    ];
    for (const [name, args] of commands) {
      const first = cliMs(args);
      const ms = median(Array.from({ length: rounds }, () => cliMs(args)));
      out(
        `  ${name.padEnd(40)} ${ms.toFixed(0).padStart(5)} ms (first run ${first.toFixed(0)} ms); target < 500 ms: ${verdict(ms < 500)}`,
      );
    }
    out(
      `  store: ${conversations} open conversations, ${conversations * 10} messages, ${conversations * 10} pending timers (seeded in ${seeded.seedSeconds.toFixed(0)} s${seeded.cached ? ', taken from the cache under .tmp/bench' : ''})`,
    );
  } finally {
    rmSync(seeded.dir, { recursive: true, force: true });
  }

  const empty: StoreRound[] = [];
  const full: StoreRound[] = [];
  for (let i = 0; i < rounds; i++) {
    empty.push(await storeRound(false, conversations));
    full.push(await storeRound(true, conversations));
    out(
      `  round ${i + 1}: empty ${empty[i]?.rate.toFixed(0)} replies/s, seeded ${full[i]?.rate.toFixed(0)} replies/s, seeded peak RSS ${full[i]?.peakRss.toFixed(0)} MB, timer lag p99 ${lagP99(full[i]?.lags.quiet ?? []).toFixed(0)} ms quiet, ${lagP99(full[i]?.lags.load ?? []).toFixed(0)} ms under the load`,
    );
  }
  const m = (rs: StoreRound[], f: (r: StoreRound) => number) => median(rs.map(f));
  const ratio = m(full, (r) => r.rate) / m(empty, (r) => r.rate);
  const peak = m(full, (r) => r.peakRss);
  const lag = m(full, (r) => lagP99(r.lags.quiet));
  const fired = m(full, (r) => r.lags.quiet.length);
  const loadLag = m(full, (r) => lagP99(r.lags.load));
  const loadFired = m(full, (r) => r.lags.load.length);
  const halfP99 = m(empty, (r) => r.halfP99);
  out(
    `  SMS router, empty store:  ${m(empty, (r) => r.rate).toFixed(0)} replies/s, p99 at half that rate ${halfP99.toFixed(1)} ms (target ≤ 20 ms: ${verdict(halfP99 <= 20)}), RSS idle ${m(empty, (r) => r.idleRss).toFixed(0)} MB, peak ${m(empty, (r) => r.peakRss).toFixed(0)} MB`,
  );
  out(
    `  SMS router, seeded store: ${m(full, (r) => r.rate).toFixed(0)} replies/s, p99 at half that rate ${m(full, (r) => r.halfP99).toFixed(1)} ms, RSS idle ${m(full, (r) => r.idleRss).toFixed(0)} MB, peak ${peak.toFixed(0)} MB`,
  );
  out(`  throughput seeded / empty ${ratio.toFixed(2)} (target ≥ 0.90): ${verdict(ratio >= 0.9)}`);
  out(`  peak RSS with the seeded store ${peak.toFixed(0)} MB (target ≤ 200 MB): ${verdict(peak <= 200)}`);
  out(
    `  timer lag p99 with ${conversations * 10} pending: ${lag.toFixed(0)} ms, ${fired} of ${timersPerBatch('quiet')} due fired (target ≤ 1000 ms, all fired): ${verdict(lag <= 1000 && fired === timersPerBatch('quiet'))}`,
  );
  out(
    `  timer lag p99 behind the saturating load: ${loadLag.toFixed(0)} ms, ${loadFired} of ${timersPerBatch('load')} fired (no target: the router is saturated on purpose)`,
  );
  out(`  load average after ${load()} on ${availableParallelism()} cores`);
}
