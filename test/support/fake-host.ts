import type { ChannelHost, IngestResult } from '../../src/channel/contract.ts';
import { VirtualClock } from '../../src/clock.ts';
import type { HttpHandler, RouteOptions, RouteRegistry } from '../../src/http/http-types.ts';
import { silentLogger } from '../../src/log.ts';
import type { DeliveryStatus, Envelope } from '../../src/model/types.ts';
import { checkEnvelope } from '../../src/pipeline/ingest.ts';
import { localExclusive } from './local-exclusive.ts';

export interface Route {
  method: string;
  pattern: string;
  handler: HttpHandler;
  options?: RouteOptions | undefined;
}

/**
 * A ChannelHost that keeps what the adapter hands over: every ingest call,
 * deduplicated on (channel, providerId) like the real store, every delivery
 * report, and the registered routes (or hands them to a real server's
 * registry). `isOpen` stands in for the calendar.
 */
export function createFakeHost(o: { publicUrl: string; clock?: VirtualClock; routes?: RouteRegistry }) {
  const stored = new Map<string, Envelope>();
  const ingestCalls: Envelope[] = [];
  const deliveries: { providerId: string; status: DeliveryStatus; error: string | null }[] = [];
  const unreadable: Array<{ reason: string; payload: string }> = [];
  const routes: Route[] = [];
  const state = new Map<string, unknown>();
  const control = { failIngest: false, open: true };
  const clock = o.clock ?? new VirtualClock();

  const host: ChannelHost & { isOpen: (at: number) => boolean } = {
    async ingest(envelope): Promise<IngestResult> {
      ingestCalls.push(envelope);
      if (control.failIngest) throw new Error('database is down');
      checkEnvelope(envelope);
      const key = `${envelope.channel}\u0000${envelope.providerId}`;
      const duplicate = stored.has(key);
      if (!duplicate) stored.set(key, envelope);
      return { stored: !duplicate, duplicate, eventId: `ev-${stored.size}` };
    },
    async keepUnreadable(reason, payload) {
      if (control.failIngest) throw new Error('database is down');
      unreadable.push({ reason, payload: payload.toString() });
    },
    async updateDelivery(providerId, status, error) {
      deliveries.push({ providerId, status, error: error ?? null });
    },
    async history() {
      return [];
    },
    onMessage() {
      return () => {};
    },
    routes: o.routes ?? {
      add: (method, pattern, handler, options) => routes.push({ method, pattern, handler, options }),
    },
    state: {
      async get<T>(key: string) {
        return (state.get(key) as T | undefined) ?? null;
      },
      async set(key, value) {
        state.set(key, value);
      },
    },
    log: silentLogger,
    clock,
    publicUrl: o.publicUrl,
    exclusive: localExclusive,
    isOpen: () => control.open,
  };
  return {
    host,
    clock,
    stored: () => [...stored.values()],
    ingestCalls,
    deliveries,
    unreadable,
    routes,
    state,
    control,
  };
}
