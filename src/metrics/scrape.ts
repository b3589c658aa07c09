import { Gauge } from 'prom-client';
import type { BusinessCalendar } from '../calendar/calendar.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { SlaSettings, TargetSettings } from '../settings/policy-schema.ts';
import type { Store } from '../store/contract.ts';
import { type Kpis, measure } from './kpis.ts';
import { againstTargets, type Scored } from './targets.ts';
import type { Telemetry } from './telemetry.ts';

export interface ScrapeDeps {
  telemetry: Telemetry;
  store: Store;
  clock: Clock;
  calendar: BusinessCalendar;
  targets: TargetSettings;
  sla: SlaSettings;
  log: Logger;
  /** How long the business KPIs are reused between scrapes (they read every fact of the window): router.yaml `metrics.kpiRefresh`. */
  kpiTtlMs?: number;
}

const WINDOW_MS = 7 * 86_400_000;
const STATS_REUSE_MS = 1000;

/**
 * Gauges read when Prometheus scrapes: the store's queues (one cheap query
 * each) and the business KPIs of the last 7 days. A scrape never waits on
 * the KPIs: they are computed in the background from start-up and again when
 * a scrape finds them older than `kpiTtlMs`, reading the store in slices that
 * yield to the event loop; until the first computation ends their gauges are
 * absent, and `touchpoint_kpi_age_seconds` says how old they are.
 */
export function registerScrapeGauges(d: ScrapeDeps): void {
  const registers = [d.telemetry.registry];
  const ttl = d.kpiTtlMs ?? 60_000;
  let kpis: { at: number; value: Kpis } | null = null;
  let refreshing = false;
  let startedAt = Number.NEGATIVE_INFINITY;

  function refresh(): void {
    const now = d.clock.now();
    if (refreshing || now - startedAt < ttl) return;
    refreshing = true;
    startedAt = now;
    measure(d.store, { from: now - WINDOW_MS, to: now + 1, now }, d.calendar)
      .then((m) => {
        kpis = { at: now, value: m.total };
      })
      .catch((err: unknown) => d.log.warn({ err }, 'business gauges could not be computed'))
      .finally(() => {
        refreshing = false;
      });
  }
  refresh();

  function business(): Kpis | null {
    refresh();
    return kpis?.value ?? null;
  }

  // Every queue gauge of one scrape shares one read of the store.
  let stats: { at: number; value: ReturnType<Store['operationalStats']> } | null = null;
  const readStats = (now: number) => {
    if (!stats || now - stats.at > STATS_REUSE_MS) stats = { at: now, value: d.store.operationalStats(now) };
    return stats.value;
  };
  const ops = (
    name: string,
    help: string,
    pick: (s: Awaited<ReturnType<Store['operationalStats']>>, now: number) => number,
  ) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        const now = d.clock.now();
        this.set(pick(await readStats(now), now));
      },
    });
  ops('touchpoint_outbox_depth', 'Sends waiting in the outbox', (s) => s.outboxPending);
  ops('touchpoint_outbox_oldest_age_seconds', 'How overdue the oldest waiting send is', (s, now) =>
    s.outboxOldestDueAt === null ? 0 : Math.max(0, now - s.outboxOldestDueAt) / 1000,
  );
  ops('touchpoint_dead_letters', 'Sends given up on (touchpoint outbox dead)', (s) => s.deadLetters);
  ops('touchpoint_inbound_pending', 'Stored events not routed yet', (s) => s.inboundPending);
  ops('touchpoint_timers_pending', 'Timers waiting to fire', (s) => s.timersPending);
  ops('touchpoint_timer_lag_seconds', 'How late the oldest due, unfired timer is', (s, now) =>
    s.timerOldestOverdueAt === null ? 0 : (now - s.timerOldestOverdueAt) / 1000,
  );
  ops('touchpoint_store_size_bytes', 'Size of the store on disk', (s) => s.sizeBytes);

  new Gauge({
    name: 'touchpoint_backlog_open',
    help: 'Open, pending and snoozed conversations',
    registers,
    collect() {
      const k = business();
      if (k) this.set(k.backlog.open);
    },
  });
  new Gauge({
    name: 'touchpoint_kpi_age_seconds',
    help: 'How long ago the business gauges were computed',
    registers,
    collect() {
      if (kpis) this.set((d.clock.now() - kpis.at) / 1000);
    },
  });
  new Gauge({
    name: 'touchpoint_kpi',
    help: 'Business KPIs over the last 7 days (shares 0–1, times in seconds)',
    labelNames: ['kpi'],
    registers,
    collect() {
      const k = business();
      if (!k) return;
      for (const s of againstTargets(k, d.targets, d.sla))
        if (s.actual !== null) this.set({ kpi: s.id }, inPrometheusUnits(s, 'actual'));
      const frt = k.firstResponse.agent.business.avgMs;
      if (frt !== null) this.set({ kpi: 'first_response_business' }, frt / 1000);
      this.set({ kpi: 'volume' }, k.volume.conversations);
    },
  });
  new Gauge({
    name: 'touchpoint_kpi_target',
    help: 'The target of each KPI (config/targets.yaml)',
    labelNames: ['kpi'],
    registers,
    collect() {
      const k = business();
      if (!k) return;
      for (const s of againstTargets(k, d.targets, d.sla)) this.set({ kpi: s.id }, inPrometheusUnits(s, 'target'));
    },
  });
}

/** Shares as they are, times in seconds. */
function inPrometheusUnits(s: Scored, which: 'actual' | 'target'): number {
  const v = s[which] ?? 0;
  return s.unit === 'ms' ? v / 1000 : v;
}
