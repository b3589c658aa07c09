import type { FactKind } from '../facts/derive.ts';
import type { Store } from '../store/contract.ts';
import { KPI_DAY_SETTLED_MS } from '../store/kpi-days.ts';
import { type Cell, cellsOf } from './kpi-cells.ts';
import type { KpiData, KpiRange } from './kpis.ts';

/** What reading a period's KPI inputs needs of the store (or of a transaction). */
export type KpiStore = Pick<Store, 'factInputs' | 'kpiDays' | 'kpiDay' | 'openBacklog'>;

const DAY_MS = 86_400_000;
const FACT_KINDS: FactKind[] = ['first_response', 'next_response', 'resolved', 'reopened', 'csat', 'self_service'];

const aggregate = (input: Parameters<typeof cellsOf>[0]) => JSON.stringify(cellsOf(input));

/**
 * The period's cells: whole UTC days that ended KPI_DAY_SETTLED_MS before
 * `now` from the stored days (built and stored on first read), the rest
 * (a partial first day, the last days, today) read live and summed the same
 * way; and the open backlog, always live.
 */
export async function loadInputs(store: KpiStore, range: KpiRange): Promise<KpiData> {
  const { from, to, now } = range;
  const cells: Cell[] = [];
  const live = async (a: number, b: number) => {
    if (a < b) for (const c of cellsOf(await store.factInputs(FACT_KINDS, a, b))) cells.push(c);
  };
  const lastEnd = Math.floor(Math.min(to, now - KPI_DAY_SETTLED_MS) / DAY_MS) * DAY_MS;
  let first = Math.ceil(from / DAY_MS) * DAY_MS;
  const stored = first < lastEnd ? await store.kpiDays(first, lastEnd) : null;
  // Days before the first conversation hold nothing: a period from 0 reads them live, at no cost.
  if (stored?.firstOpenedAt != null) first = Math.max(first, Math.floor(stored.firstOpenedAt / DAY_MS) * DAY_MS);
  if (!stored || stored.firstOpenedAt === null || first >= lastEnd) await live(from, to);
  else {
    await live(from, first);
    for (let day = first; day < lastEnd; day += DAY_MS) {
      const json = stored.days.get(day) ?? (await store.kpiDay(day, FACT_KINDS, aggregate));
      for (const c of JSON.parse(json) as Cell[]) cells.push(c);
    }
    await live(lastEnd, to);
  }
  return { cells, backlog: await store.openBacklog(now) };
}
