import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { routeBusinessEvent } from '../../src/flow-language/business-events.ts';
import { createFlowTimerHandlers } from '../../src/flow-language/flow-timers.ts';
import { silentLogger } from '../../src/log.ts';
import { createIngestor } from '../../src/pipeline/ingest.ts';
import { createRouter } from '../../src/pipeline/router.ts';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { templatesFile } from '../../src/settings/schema.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { engineRouteDeps } from '../../src/testkit/engine-deps.ts';
import { createTimerScheduler } from '../../src/timers/scheduler.ts';
import { testSettings } from '../support/settings.ts';

const DAY = 86_400_000;
const base = testSettings();
const settings = testSettings({
  templates: {
    ...base.templates,
    ...templatesFile.parse({ templates: { check: 'Were you happy with your {event.product}?' } }).templates,
  },
  flows: [
    ...base.flows,
    flowFile.parse({
      id: 'after-sales',
      trigger: { events: ['purchase.completed'] },
      steps: [{ wait: '3d' }, { say: 'check' }],
    }),
  ],
});
const deps = engineRouteDeps(settings);

let dir: string;
let clock: VirtualClock;

/** One router process: store, router, flow timers, timer scheduler (started by hand, never on its own). */
async function boot() {
  const store = await openStore({ dataDir: dir, synchronous: 'normal', log: silentLogger });
  const router = createRouter({
    store,
    clock,
    log: silentLogger,
    owner: 'router',
    leaseMs: 30_000,
    batchSize: 10,
    workers: 1,
    maxAttempts: 1,
    batchTransactions: true,
    deps,
    onRouted: () => {},
  });
  const flows = createFlowTimerHandlers({ store, settings, clock, log: silentLogger, outbound: deps.outbound });
  const timers = createTimerScheduler({
    store,
    clock,
    log: silentLogger,
    owner: 'timers',
    leaseMs: 30_000,
    handlers: flows.handlers,
  });
  const ingestor = createIngestor({ store, clock, log: silentLogger, onStored: () => {} });
  return {
    store,
    router,
    timers,
    ingestor,
    async close() {
      await router.stop();
      await timers.stop();
      await flows.stop();
      await store.close();
    },
  };
}

async function bot(store: Store): Promise<string[]> {
  const [conv] = await store.listConversations({});
  if (!conv) return [];
  return (await store.listMessages(conv.id)).filter((m) => m.author.kind === 'bot').map((m) => m.text);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-flow-restart-'));
  clock = new VirtualClock(Date.UTC(2026, 2, 3, 10));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('a flow waiting three days', () => {
  it('survives a restart mid-wait: reopened on the same SQLite file, the wait fires once', async () => {
    let app = await boot();
    await app.ingestor.ingest({
      channel: 'webchat',
      providerId: 'm1',
      touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
      threadKey: 'webchat:v1',
      from: { kind: 'webchat', value: 'v1', name: 'Ada' },
      text: 'hello',
    });
    await app.router.drain();
    const { result } = await app.store.transaction((tx) =>
      routeBusinessEvent(
        tx,
        { type: 'purchase.completed', identities: [{ kind: 'webchat', value: 'v1' }], data: { product: 'cake' } },
        { settings, now: clock.now(), outbound: deps.outbound },
      ),
    );
    expect(result.started).toEqual(['after-sales']);
    clock.advance(DAY);
    await app.timers.drain();
    expect(await bot(app.store)).toEqual(['Hello Ada, welcome to Test Shop!']);
    await app.close();

    // another process: a new store on the same file, a new router and scheduler
    app = await boot();
    clock.advance(DAY);
    await app.timers.drain();
    expect(await bot(app.store)).toHaveLength(1);
    clock.advance(DAY);
    await app.timers.drain();
    await app.timers.drain();
    expect(await bot(app.store)).toEqual(['Hello Ada, welcome to Test Shop!', 'Were you happy with your cake?']);
    clock.advance(10 * DAY);
    await app.timers.drain();
    expect(await bot(app.store)).toHaveLength(2);
    expect(await app.store.countOutbox('pending')).toBe(2);
    // nothing is left waiting: the run ended and its timer completed
    expect(
      await app.store.claimTimers({ owner: 'probe', now: clock.now() + 365 * DAY, leaseMs: 1, limit: 10 }),
    ).toEqual([]);
    await app.close();
  });
});
