import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { registerScrapeGauges } from '../../src/metrics/scrape.ts';
import { createTelemetry } from '../../src/metrics/telemetry.ts';
import { policyFiles } from '../../src/settings/policy-schema.ts';
import type { Store } from '../../src/store/contract.ts';
import type { FactInputs } from '../../src/store/fact-reads.ts';
import type { StoredKpiDays } from '../../src/store/kpi-days.ts';
import { weekdayCalendar } from '../support/business.ts';

const stats = {
  outboxPending: 2,
  outboxOldestDueAt: null,
  deadLetters: 0,
  inboundPending: 0,
  timersPending: 0,
  timerOldestOverdueAt: null,
  sizeBytes: 4096,
};

/** A store whose KPI read finishes only when the test says so, counting the reads. */
function slowStore() {
  const pending: ((v: StoredKpiDays) => void)[] = [];
  let statsReads = 0;
  const store = {
    operationalStats: async () => {
      statsReads++;
      return stats;
    },
    kpiDays: () => new Promise<StoredKpiDays>((resolve) => pending.push(resolve)),
    factInputs: async (): Promise<FactInputs> => ({ facts: [], created: [], resolved: [], notHelped: [] }),
    openBacklog: async () => [],
  } as unknown as Store;
  const finish = () => {
    for (const resolve of pending.splice(0)) resolve({ firstOpenedAt: null, days: new Map() });
  };
  return { store, finish, reads: () => pending.length, statsReads: () => statsReads };
}

describe('/metrics business gauges', () => {
  const setup = (ttl: number) => {
    const s = slowStore();
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 10));
    const telemetry = createTelemetry();
    registerScrapeGauges({
      telemetry,
      store: s.store,
      clock,
      calendar: weekdayCalendar(),
      targets: policyFiles['targets.yaml'].parse({}),
      sla: policyFiles['sla.yaml'].parse({}),
      log: silentLogger,
      kpiTtlMs: ttl,
    });
    return { ...s, clock, scrape: () => telemetry.registry.metrics() };
  };

  it('answers a scrape while the KPIs are still being computed, without them, and with them once done', async () => {
    const s = setup(60_000);
    expect(s.reads()).toBe(1); // started at registration
    const first = await s.scrape();
    expect(first).toMatch(/^touchpoint_outbox_depth 2$/m);
    expect(first).not.toMatch(/^touchpoint_kpi\{/m);
    s.finish();
    await new Promise((r) => setImmediate(r));
    const next = await s.scrape();
    expect(next).toMatch(/^touchpoint_kpi\{kpi="volume"\} 0$/m);
    // the process's own series beside them: event-loop delay, memory
    expect(next).toMatch(/^nodejs_eventloop_lag_max_seconds [0-9.e+-]+$/m);
    expect(next).toMatch(/^process_resident_memory_bytes [0-9]+$/m);
    expect(next).toMatch(/^touchpoint_kpi_age_seconds 0$/m);
  });

  it('recomputes in the background once the KPIs are older than the refresh interval, one computation at a time', async () => {
    const s = setup(60_000);
    s.finish();
    await new Promise((r) => setImmediate(r));
    await s.scrape();
    await s.scrape();
    expect(s.reads()).toBe(0); // fresh: reused
    s.clock.advance(61_000);
    await s.scrape();
    await s.scrape();
    expect(s.reads()).toBe(1);
    expect(await s.scrape()).toMatch(/^touchpoint_kpi_age_seconds 61$/m);
    s.clock.advance(61_000); // the computation outlasts the interval: no second one beside it
    await s.scrape();
    expect(s.reads()).toBe(1);
  });

  it('reads the queues once per scrape for all their gauges', async () => {
    const s = setup(60_000);
    await s.scrape();
    expect(s.statsReads()).toBe(1);
  });
});
