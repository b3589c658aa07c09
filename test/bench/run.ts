/**
 * `npm run bench`: throughput and latency of the durable pipeline, printed as
 * ratios against a bare node:http server measured in the same run on the same
 * machine (absolute figures vary too much on shared machines to mean much).
 * BENCH_SECONDS (default 5) and BENCH_CONNECTIONS (default 64) tune the load.
 */
import { type BenchLine, benchBaseline, benchPipeline } from './pipeline-bench.ts';

const out = (s: string) => process.stdout.write(`${s}\n`);
const fmt = (l: BenchLine) =>
  `${l.name.padEnd(36)} ${l.rate.toFixed(0).padStart(7)} msg/s   p50 ${l.p50.toFixed(1).padStart(6)} ms   p99 ${l.p99.toFixed(1).padStart(6)} ms`;

out('Touchpoint benchmark: webhook in → stored → routed (classify + flow) → reply at the provider fake');
const full = await benchPipeline('full');
const normal = await benchPipeline('normal');
const base = await benchBaseline(() => full.half.rate);

out('\nSaturation (closed loop):');
out(fmt(base.max));
out(fmt(full.max));
out(fmt(normal.max));
out(`\nLatency at half the pipeline's rate (open loop, ${full.half.rate.toFixed(0)} msg/s):`);
out(fmt(base.atRate));
out(fmt(full.half));
out(fmt(normal.half));
out('\nRatios against the bare baseline:');
out(`  throughput, synchronous=full:   ${((full.max.rate / base.max.rate) * 100).toFixed(0)}% (target ≥ 60%)`);
out(`  throughput, synchronous=normal: ${((normal.max.rate / base.max.rate) * 100).toFixed(0)}%`);
out(`  p99 at half load, full: ${full.half.p99.toFixed(1)} ms (target < 50 ms; baseline ${base.atRate.p99.toFixed(1)} ms)`);
