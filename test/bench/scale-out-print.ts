import { availableParallelism, loadavg } from 'node:os';
import { benchScaleOut, type ScaleRound, type ScaleSetup } from './scale-out-bench.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const m = (s: ScaleSetup, pick: (r: ScaleRound) => number) => median(s.rounds.map(pick));
const total = (r: ScaleRound) => r.cpu.routers + r.cpu.postgres + r.cpu.redis;

/** Runs the scale-out case and prints its medians, then the ratios the targets are stated in. */
export async function printScaleOut(out: (s: string) => void): Promise<void> {
  out(`Scale-out: signed SMS load spread over the routers; load average before ${(loadavg()[0] ?? 0).toFixed(2)}`);
  const setups = await benchScaleOut();
  out(
    `  ${'setup'.padEnd(32)} replies/s  e2e p50   e2e p99  lost  unack   CPU/reply: routers + PostgreSQL + Redis = total (medians of ${setups[0]?.rounds.length} rounds)`,
  );
  const n = (s: ScaleSetup, pick: (r: ScaleRound) => number, digits: number, width: number) =>
    m(s, pick).toFixed(digits).padStart(width);
  for (const s of setups) {
    const cpu = `${n(s, (r) => r.cpu.routers, 2, 5)} + ${n(s, (r) => r.cpu.postgres, 2, 5)} + ${n(s, (r) => r.cpu.redis, 2, 4)}`;
    out(
      `  ${s.name.padEnd(32)} ${n(s, (r) => r.rate, 0, 9)} ${n(s, (r) => r.p50, 0, 6)} ms ${n(s, (r) => r.p99, 0, 6)} ms ${n(s, (r) => r.lost, 0, 5)} ${n(s, (r) => r.failed, 0, 6)}   ${cpu} = ${n(s, total, 2, 5)} ms`,
    );
  }
  const sqlite = setups.find((s) => s.store === 'sqlite');
  const pg = setups.filter((s) => s.store === 'postgres');
  const one = pg.find((s) => s.instances === 1);
  if (sqlite && one)
    out(
      `  PostgreSQL + Redis, 1 router / SQLite: CPU per reply ${(m(one, total) / m(sqlite, total)).toFixed(2)}× (target ≤ 2×), throughput ${(m(one, (r) => r.rate) / m(sqlite, (r) => r.rate)).toFixed(2)}×`,
    );
  for (const s of pg)
    if (one && s !== one)
      out(
        `  ${s.instances} routers / 1 on PostgreSQL: CPU per reply ${(m(s, total) / m(one, total)).toFixed(2)}× (target ≤ 1.1×), throughput ${(m(s, (r) => r.rate) / m(one, (r) => r.rate)).toFixed(2)}× (target ≥ 2.5× with a core per router; this machine has ${availableParallelism()})`,
      );
  out(
    `  load average after ${(loadavg()[0] ?? 0).toFixed(2)}; Redis CPU is the whole server's (other clients count too)`,
  );
}
