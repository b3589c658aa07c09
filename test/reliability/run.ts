/**
 * `npm run test:reliability [-- --minutes N] [--suites crash,outage,storm,adversarial] [--stores sqlite,postgres]`:
 * the long reliability suites, on demand. Each prints its figures; the last
 * line sums them: `reliability: lost=… duplicated=… violations=… 5xx=… (…) PASS|FAIL: …`.
 * Exits 1 when any figure is above 0. `--minutes` (default 3) is the length
 * of the crash loop on each store and of the outage; the storm and the
 * adversarial texts take about a minute each.
 */
import { parseArgs } from 'node:util';
import { adversarial } from './adversarial.ts';
import { crashLoop } from './crash-loop.ts';
import { errored, type Figures, failed, printFigures, summaryLine } from './figures.ts';
import { outage } from './outage.ts';
import type { StoreKind } from './router.ts';
import { storm } from './storm.ts';

const suites = ['crash', 'outage', 'storm', 'adversarial'] as const;
type Suite = (typeof suites)[number];

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    suites: { type: 'string', default: suites.join(',') },
    stores: { type: 'string', default: 'sqlite,postgres' },
  },
});
const minutes = Number(values.minutes);
if (!(minutes > 0 && minutes <= 60)) throw new Error(`--minutes must be above 0 and at most 60, got ${values.minutes}`);
const chosen = values.suites.split(',').map((s) => s.trim()) as Suite[];
const unknown = chosen.filter((s) => !suites.includes(s));
if (unknown.length > 0) throw new Error(`unknown suite ${unknown.join(', ')}; use some of ${suites.join(',')}`);
const stores = values.stores.split(',').map((s) => s.trim()) as StoreKind[];
if (stores.some((s) => s !== 'sqlite' && s !== 'postgres')) throw new Error('--stores: sqlite and/or postgres');
if (chosen.includes('crash') && stores.includes('postgres') && !process.env.DATABASE_URL)
  throw new Error('the crash loop on PostgreSQL needs DATABASE_URL (or --stores sqlite)');

const out = (s: string) => process.stdout.write(`${s}\n`);
const started = performance.now();
const all: Figures[] = [];
const seconds = Math.round(minutes * 60);

type Step = [name: string, title: string, run: () => Promise<Figures>];
const steps: Record<Suite, () => Step[]> = {
  crash: () =>
    stores.map((store) => [
      `crash-loop:${store}`,
      `crash loop on ${store}: ${seconds} s of kill -9 under SMS, Slack, Messenger and email load`,
      () => crashLoop({ store, seconds, log: out }),
    ]),
  outage: () => [
    [
      'outage',
      `outage: ${seconds} s of provider failures under SMS, Slack and Messenger load, then recovery`,
      () => outage({ seconds, log: out }),
    ],
  ],
  storm: () => [
    [
      'storm',
      'redelivery storm: every SMS, Slack event and Messenger message delivered 2 to 5 times',
      () => storm({ messages: 400, seconds: 40, log: out }),
    ],
  ],
  adversarial: () => [
    [
      'adversarial',
      'adversarial text: 1 MB messages on every public touchpoint while /healthz is asked 20 times a second',
      () => adversarial({ log: out }),
    ],
  ],
};
const plan = chosen.flatMap((suite) => steps[suite]());

const finish = () => {
  out(summaryLine(all, (performance.now() - started) / 1000));
  process.exitCode = all.some(failed) ? 1 : 0;
};
// Every suite bounds its own waits; this is the backstop: past it, the figures so far are the answer.
const limitMs = (chosen.length * 4 * seconds + 20 * 60) * 1000;
const watchdog = setTimeout(() => {
  all.push(errored('run', `stopped after ${Math.round(limitMs / 60_000)} min: a suite did not finish`));
  finish();
  process.exit(1);
}, limitMs);

for (const [name, title, run] of plan) {
  out(title);
  try {
    all.push(await run());
  } catch (err) {
    all.push(errored(name, (err as Error).stack ?? String(err)));
  }
  printFigures(all.at(-1) as Figures, out);
}
clearTimeout(watchdog);
finish();
