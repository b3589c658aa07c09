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

/** The whole UTC days of [from, to) that ended KPI_DAY_SETTLED_MS before `now` and hold anything: [first, end). */
async function closedDays(store: KpiStore, range: KpiRange) {
  const end = Math.floor(Math.min(range.to, range.now - KPI_DAY_SETTLED_MS) / DAY_MS) * DAY_MS;
  let first = Math.ceil(range.from / DAY_MS) * DAY_MS;
  if (first >= end) return null;
  const stored = await store.kpiDays(first, end);
  if (stored.firstOpenedAt === null) return null;
  // Days before the first conversation hold nothing: a period from 0 reads them live, at no cost.
  first = Math.max(first, Math.floor(stored.firstOpenedAt / DAY_MS) * DAY_MS);
  return first < end ? { first, end, stored: stored.days } : null;
}

/** The closed day's cells as stored, built and stored if they are not yet. */
async function dayCells(store: KpiStore, day: number, stored: Map<number, string>): Promise<string> {
  return stored.get(day) ?? (await store.kpiDay(day, FACT_KINDS, aggregate));
}

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
  const closed = await closedDays(store, range);
  if (!closed) await live(from, to);
  else {
    await live(from, closed.first);
    for (let day = closed.first; day < closed.end; day += DAY_MS)
      for (const c of JSON.parse(await dayCells(store, day, closed.stored)) as Cell[]) cells.push(c);
    await live(closed.end, to);
  }
  return { cells, backlog: await store.openBacklog(now) };
}

/** Builds and stores the closed days of the last `days` not stored yet (in the background at start-up, so no page waits for them). */
export async function storeClosedDays(store: KpiStore, now: number, days: number): Promise<void> {
  const closed = await closedDays(store, { from: now - days * DAY_MS, to: now, now });
  if (closed) for (let day = closed.first; day < closed.end; day += DAY_MS) await dayCells(store, day, closed.stored);
}
