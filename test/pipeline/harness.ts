import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { VirtualClock } from '../../src/clock.ts';
import type { Routed } from '../../src/decide/route-event.ts';
import { silentLogger } from '../../src/log.ts';
import type { Envelope } from '../../src/model/types.ts';
import type { DestinationOf } from '../../src/outbound/outbound.ts';
import { createIngestor, type Ingestor } from '../../src/pipeline/ingest.ts';
import { createRouter, type Router, type RouterOptions } from '../../src/pipeline/router.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { engineRouteDeps } from '../../src/testkit/engine-deps.ts';
import { testSettings } from '../support/settings.ts';

/** The ingest → route pipeline on a store of its own, with the engine's routing steps and the test settings. */
export interface Pipeline {
  store: Store;
  clock: VirtualClock;
  ingestor: Ingestor;
  router: Router;
  /** What the router reported for live clients, in order. */
  routed: Routed[];
  teardown(): Promise<void>;
}

export const databaseUrl = process.env.DATABASE_URL;

/** An email thread `email:x@example.test` is sent to its address, as the email adapter's are; others to `dest:`. */
export const destinationOf: DestinationOf = (channel, threadKey) =>
  channel === 'email' && threadKey.includes('@') ? threadKey.slice('email:'.length) : `dest:${threadKey}`;

export function envelope(over: Partial<Envelope> = {}): Envelope {
  return {
    channel: 'webchat',
    providerId: 'p1',
    touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
    threadKey: 'webchat:v1',
    from: { kind: 'webchat', value: 'v1', name: 'Ada' },
    text: 'how much is a loaf?',
    ...over,
  };
}

/** A router over `o.store` with the tests' usual settings (owner r1, 100 a batch, 2 workers, 3 attempts, one transaction a round). */
export function testRouter(o: Pick<RouterOptions, 'store' | 'clock'> & Partial<RouterOptions>): Router {
  return createRouter({
    log: silentLogger,
    owner: 'r1',
    leaseMs: 30_000,
    batchSize: 100,
    workers: 2,
    maxAttempts: 3,
    batchTransactions: true,
    deps: engineRouteDeps(testSettings(), { destinationOf: (_c, t) => t }),
    onRouted: () => {},
    ...o,
  });
}

/** A web chat visitor's message on thread `thread`. */
export const visitorSays = (thread: string, providerId: string, text: string): Envelope =>
  envelope({ providerId, threadKey: `webchat:${thread}`, from: { kind: 'webchat', value: thread }, text });

/** An email from `from`, with the rest of the envelope as given. */
export function mail(from: string, over: Partial<Envelope>): Envelope {
  return envelope({
    channel: 'email',
    touchpoint: { channel: 'email', kind: 'email', visibility: 'private' },
    from: { kind: 'email', value: from },
    ...over,
  });
}

export async function startPipeline(
  batchTransactions: boolean,
  kind: 'sqlite' | 'postgres' = 'sqlite',
): Promise<Pipeline> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-pipeline-'));
  const schema = kind === 'postgres' ? `tp_pipe_${randomBytes(5).toString('hex')}` : null;
  const store =
    kind === 'postgres'
      ? await openStore({ databaseUrl, schema: schema ?? undefined, dataDir: dir, log: silentLogger })
      : await openStore({ dataDir: dir, synchronous: 'normal', log: silentLogger });
  const clock = new VirtualClock();
  const routed: Routed[] = [];
  const router = createRouter({
    store,
    clock,
    log: silentLogger,
    owner: 'test-router',
    leaseMs: 30_000,
    batchSize: 100,
    workers: 4,
    maxAttempts: 3,
    batchTransactions,
    deps: engineRouteDeps(testSettings(), { destinationOf }),
    onRouted: (r) => routed.push(...r),
  });
  const ingestor = createIngestor({ store, clock, log: silentLogger, onStored: () => {} });
  return {
    store,
    clock,
    ingestor,
    router,
    routed,
    async teardown() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    },
  };
}

async function dropSchema(name: string) {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`drop schema if exists ${name} cascade`);
  await admin.end();
}

/** Every conversation with all its messages, notes included. */
export async function conversationsWithMessages(store: Store) {
  const convs = await store.listConversations({});
  return Promise.all(
    convs.map(async (c) => ({ c, messages: await store.listMessages(c.id, { includeInternal: true }) })),
  );
}

/** Routes what is queued, then records the first outbox row as sent with this provider id. */
export async function sendFirstReplyAs(p: Pipeline, providerId: string) {
  await p.router.drain();
  const [job] = await p.store.claimOutbox({ owner: 'o', now: p.clock.now(), leaseMs: 1000, limit: 10 });
  await p.store.markSent(job!.id, providerId, 'sent', p.clock.now());
}
