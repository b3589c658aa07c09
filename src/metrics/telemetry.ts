import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { OutboxLimiter } from '../outbox/limiter.ts';
import type { Ingestor } from '../pipeline/ingest.ts';

/**
 * The operational series of /metrics (prom-client): what the HTTP server,
 * ingest, the router, the limiter and the outbox report as they run. The
 * store's queues and the business gauges are read at scrape time (scrape.ts).
 */
export interface Telemetry {
  readonly registry: Registry;
  answered(a: { route: string | null; method: string; status: number; reason: string | null }): void;
  ingested(ms: number): void;
  routed(ms: number): void;
  sent(channel: string, ms: number, ok: boolean): void;
  limiterWaited(channel: string, ms: number): void;
  putBack(channel: string, rows: number): void;
  /** Work handed back from a silent instance, per queue (inbound, outbox, timers). */
  takenOver(queue: string, rows: number): void;
}

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Core paths; every other route is a channel's webhook. */
const CORE = /^\/(api|admin|metrics|healthz|readyz)(\/|$)/;

export function createTelemetry(): Telemetry {
  const registry = new Registry();
  // the process's own series: CPU, memory, heap, handles, and event-loop delay (max, p99 …) since the last scrape
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  const requests = new Counter({
    name: 'touchpoint_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'touchpoint_webhooks_received_total',
    help: 'Requests to channel webhook routes',
    labelNames: ['route'],
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'touchpoint_webhooks_rejected_total',
    help: 'Webhook requests refused, by route and reason (the error code)',
    labelNames: ['route', 'reason'],
    registers: [registry],
  });
  const ingest = new Histogram({
    name: 'touchpoint_ingest_seconds',
    help: 'From an adapter handing an event over to it being durably stored',
    buckets: SECONDS,
    registers: [registry],
  });
  const route = new Histogram({
    name: 'touchpoint_route_seconds',
    help: 'From an event being stored to its routing decision committed',
    buckets: SECONDS,
    registers: [registry],
  });
  const send = new Histogram({
    name: 'touchpoint_send_seconds',
    help: 'The provider call of one send, by channel and outcome',
    labelNames: ['channel', 'outcome'],
    buckets: SECONDS,
    registers: [registry],
  });
  const waits = new Histogram({
    name: 'touchpoint_limiter_wait_seconds',
    help: 'Time a send waited for its channel and destination rate limit',
    labelNames: ['channel'],
    buckets: SECONDS,
    registers: [registry],
  });
  const putBack = new Counter({
    name: 'touchpoint_outbox_put_back_total',
    help: 'Sends put back unsent because their lease was lost while they waited for the rate limiter',
    labelNames: ['channel'],
    registers: [registry],
  });
  const takenOver = new Counter({
    name: 'touchpoint_taken_over_total',
    help: 'Rows of work handed back from a router instance that stopped beating, by queue',
    labelNames: ['queue'],
    registers: [registry],
  });
  new Gauge({
    name: 'touchpoint_up',
    help: 'Always 1 while the router runs',
    registers: [registry],
    collect() {
      this.set(1);
    },
  });
  return {
    registry,
    answered(a) {
      const r = a.route ?? '(none)';
      requests.inc({ route: r, method: a.method, status: String(a.status) });
      if (a.route === null || CORE.test(a.route)) return;
      webhooks.inc({ route: r });
      if (a.status >= 400) rejected.inc({ route: r, reason: a.reason ?? `http_${a.status}` });
    },
    ingested: (ms) => ingest.observe(ms / 1000),
    routed: (ms) => route.observe(ms / 1000),
    sent: (channel, ms, ok) => send.observe({ channel, outcome: ok ? 'sent' : 'failed' }, ms / 1000),
    limiterWaited: (channel, ms) => waits.observe({ channel }, ms / 1000),
    putBack: (channel, rows) => putBack.inc({ channel }, rows),
    takenOver: (queue, rows) => takenOver.inc({ queue }, rows),
  };
}

/** The limiter, timing how long each send waits for its turn. */
export function timedLimiter(limiter: OutboxLimiter, telemetry: Telemetry): OutboxLimiter {
  return {
    schedule(channel, destination, fn, ready) {
      const asked = performance.now();
      const timed = () => {
        telemetry.limiterWaited(channel, performance.now() - asked);
        return fn();
      };
      return ready
        ? limiter.schedule(channel, destination, timed, ready)
        : limiter.schedule(channel, destination, timed);
    },
    holdOff: (channel, destination, until, now, scope) => limiter.holdOff(channel, destination, until, now, scope),
    heldUntil: (channel, destination, now) => limiter.heldUntil(channel, destination, now),
    rateLimit: (channel) => limiter.rateLimit(channel),
    ready: () => limiter.ready(),
    close: () => limiter.close(),
  };
}

/** The ingestor, timing each hand-over until it is durably stored. */
export function timedIngestor(ingestor: Ingestor, telemetry: Telemetry): Ingestor {
  return {
    async ingest(envelope) {
      const began = performance.now();
      const result = await ingestor.ingest(envelope);
      telemetry.ingested(performance.now() - began);
      return result;
    },
    flush: () => ingestor.flush(),
  };
}
