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
import { type Figures, printFigures, summaryLine } from './figures.ts';
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

for (const suite of chosen) {
  if (suite === 'crash') {
    for (const store of stores) {
      out(`crash loop on ${store}: ${seconds} s of kill -9 under SMS, Slack, Messenger and email load`);
      all.push(await crashLoop({ store, seconds, log: out }));
      printFigures(all.at(-1) as Figures, out);
    }
  }
  if (suite === 'outage') {
    out(`outage: ${seconds} s of provider failures under SMS, Slack and Messenger load, then recovery`);
    all.push(await outage({ seconds, log: out }));
    printFigures(all.at(-1) as Figures, out);
  }
  if (suite === 'adversarial') {
    out('adversarial text: 1 MB messages on every public touchpoint while /healthz is asked 20 times a second');
    all.push(await adversarial({ log: out }));
    printFigures(all.at(-1) as Figures, out);
  }
  if (suite === 'storm') {
    out('redelivery storm: every SMS, Slack event and Messenger message delivered 2 to 5 times');
    all.push(await storm({ messages: 400, seconds: 40, log: out }));
    printFigures(all.at(-1) as Figures, out);
  }
}
out(summaryLine(all, (performance.now() - started) / 1000));
process.exitCode = all.some((f) => f.lost + f.duplicated + f.violations + f.fiveXX > 0) ? 1 : 0;
