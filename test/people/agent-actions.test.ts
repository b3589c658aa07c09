import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import type { Written } from '../../src/decide/write-decision.ts';
import { HttpError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import type { Envelope } from '../../src/model/types.ts';
import { createOutbound } from '../../src/outbound/outbound.ts';
import type { AgentActions } from '../../src/people/actions.ts';
import { createAgentActions } from '../../src/people/agent-actions.ts';
import { PAGE_TIMER } from '../../src/people/paging.ts';
import { createSnoozeTimerHandlers, SNOOZE_TIMER, wakeOnCustomerStep } from '../../src/people/snooze.ts';
import { createIngestor, type Ingestor } from '../../src/pipeline/ingest.ts';
import { createRouter, type Router } from '../../src/pipeline/router.ts';
import { flowFile } from '../../src/settings/flow-schema.ts';
import type { Store, Timer } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { engineRouteDeps } from '../../src/testkit/engine-deps.ts';
import { createTimerScheduler, type TimerScheduler } from '../../src/timers/scheduler.ts';
import { testSettings } from '../support/settings.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const HOUR = 3_600_000;

let dir: string;
let store: Store;
let clock: VirtualClock;
let ingestor: Ingestor;
let router: Router;
let timers: TimerScheduler;
let actions: AgentActions;
let written: Written[];
let pages: Timer[];
let kicks: number;
let seq = 0;

const base = testSettings();
const settings = testSettings({
  flows: [
    ...base.flows,
    flowFile.parse({ id: 'survey', trigger: { events: ['support.resolved'] }, steps: [{ say: 'hello' }] }),
  ],
});

async function customerSays(text: string): Promise<string> {
  const env: Envelope = {
    channel: 'webchat',
    providerId: `p${++seq}`,
    touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
    threadKey: 'webchat:v1',
    from: { kind: 'webchat', value: 'v1', name: 'Ada' },
    text,
  };
  await ingestor.ingest(env);
  await router.drain();
  const [c] = await store.listConversations({});
  return c?.id ?? '';
}

const conv = async (id: string) => {
  const c = await store.getConversation(id);
  if (!c) throw new Error(`no conversation ${id}`);
  return c;
};
const notes = async (id: string) =>
  (await store.listMessages(id, { includeInternal: true }))
    .filter((m) => m.visibility === 'internal' && m.author.kind === 'system')
    .map((m) => m.text);
const pending = (kind: string, at: number) =>
  store.claimTimers({ owner: 'peek', now: at, leaseMs: 1, limit: 100 }).then((ts) => ts.filter((t) => t.kind === kind));
const rejection = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-agent-'));
  store = await openStore({ dataDir: dir, synchronous: 'normal', log: silentLogger });
  clock = new VirtualClock(T0);
  written = [];
  pages = [];
  kicks = 0;
  const deps = engineRouteDeps(settings, {
    destinationOf: (_c, threadKey) => `dest:${threadKey}`,
    wakeOnCustomer: wakeOnCustomerStep,
  });
  router = createRouter({
    store,
    clock,
    log: silentLogger,
    owner: 'test-router',
    leaseMs: 30_000,
    batchSize: 100,
    workers: 2,
    maxAttempts: 3,
    batchTransactions: true,
    deps,
    onRouted: () => {},
  });
  ingestor = createIngestor({ store, clock, log: silentLogger, onStored: () => {} });
  timers = createTimerScheduler({
    store,
    clock,
    log: silentLogger,
    owner: 'test-timers',
    leaseMs: 30_000,
    handlers: {
      ...createSnoozeTimerHandlers({ clock }),
      [PAGE_TIMER]: async (t) => {
        pages.push(t);
      },
    },
  });
  actions = createAgentActions({
    store,
    clock,
    outbound: deps.outbound,
    onMessages: () => {},
    flows: { settings, onWritten: (w) => written.push(w) },
    onTimers: () => {
      kicks++;
    },
  });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('agent actions', () => {
  it('snoozes until a time, then a durable timer opens the conversation again', async () => {
    const id = await customerSays('my order is late');
    const snoozed = await actions.snooze(id, T0 + 2 * HOUR, 'maya');
    expect(snoozed.status).toBe('snoozed');
    expect(kicks).toBe(1);
    expect((await conv(id)).flowState?.snooze).toEqual({ until: T0 + 2 * HOUR, by: 'maya' });

    clock.advance(2 * HOUR - 1);
    await timers.drain();
    expect((await conv(id)).status).toBe('snoozed');
    clock.advance(1);
    await timers.drain();
    const woken = await conv(id);
    expect(woken.status).toBe('open');
    expect(woken.flowState?.snooze).toBeUndefined();
    expect(await notes(id)).toEqual([
      'Snoozed by maya until 2026-01-05T11:00:00.000Z.',
      'Snooze ended (set by maya): open again.',
    ]);
  });

  it('reopens on a customer message before the snooze ends, and cancels the wake-up', async () => {
    const id = await customerSays('my order is late');
    await actions.snooze(id, T0 + 5 * HOUR, 'maya');
    clock.advance(HOUR);
    await customerSays('any news?');
    const c = await conv(id);
    expect(c.status).toBe('open');
    expect(c.flowState?.snooze).toBeUndefined();
    expect(await pending(SNOOZE_TIMER, T0 + 6 * HOUR)).toEqual([]);
  });

  it('cancels the wake-up when an agent reopens or resolves', async () => {
    const id = await customerSays('my order is late');
    await actions.snooze(id, T0 + HOUR, 'maya');
    await actions.reopen(id, 'maya');
    expect(await pending(SNOOZE_TIMER, T0 + 2 * HOUR)).toEqual([]);
    await actions.snooze(id, T0 + HOUR, 'maya');
    await actions.resolve(id, 'maya');
    expect(await pending(SNOOZE_TIMER, T0 + 2 * HOUR)).toEqual([]);
    expect((await conv(id)).status).toBe('resolved');
  });

  it('refuses a snooze in the past, over a year, or of a resolved conversation', async () => {
    const id = await customerSays('my order is late');
    expect((await rejection(actions.snooze(id, T0, 'maya'))).status).toBe(400);
    expect((await rejection(actions.snooze(id, Number.NaN, 'maya'))).status).toBe(400);
    expect((await rejection(actions.snooze(id, T0 + 400 * 24 * HOUR, 'maya'))).status).toBe(400);
    expect((await rejection(actions.snooze('nope', T0 + HOUR, 'maya'))).status).toBe(404);
    await actions.resolve(id, 'maya');
    expect((await rejection(actions.snooze(id, T0 + HOUR, 'maya'))).status).toBe(409);
    expect((await conv(id)).status).toBe('resolved');
  });

  it('sets the priority with a note, and refuses an unknown one', async () => {
    const id = await customerSays('my order is late');
    expect((await actions.setPriority(id, 'urgent', 'maya')).priority).toBe('urgent');
    expect((await conv(id)).priority).toBe('urgent');
    expect(await notes(id)).toEqual(['Priority set to urgent by maya (was normal).']);
    const bad = await rejection(actions.setPriority(id, 'asap' as never, 'maya'));
    expect(bad.message).toContain('low, normal, high, urgent');
  });

  it('escalates: high priority, tagged, and the on-call chain paged with the customer’s words', async () => {
    const id = await customerSays('my order is late and I am angry');
    const escalated = await actions.escalate(id, 'maya');
    expect(escalated.priority).toBe('high');
    expect((await conv(id)).tags).toContain('escalated');
    expect(kicks).toBe(1);
    await timers.drain();
    expect(pages).toHaveLength(1);
    expect(pages[0]?.conversationId).toBe(id);
    expect(pages[0]?.payload).toEqual({
      reason: 'escalated by maya',
      text: 'my order is late and I am angry',
      window: null,
    });
    expect(await notes(id)).toEqual(['Escalated by maya: paging on-call.']);
    // An urgent conversation stays urgent.
    await actions.setPriority(id, 'urgent', 'maya');
    expect((await actions.escalate(id, 'maya')).priority).toBe('urgent');
  });

  it('starts a flow by id, and refuses an unknown flow naming the known ones', async () => {
    const id = await customerSays('my order is late');
    await actions.startFlow(id, 'greet', 'maya');
    expect(written).toHaveLength(1);
    expect(written[0]?.messages.map((m) => m.text)).toEqual(['Hello Ada, welcome to Test Shop!']);
    const out = await store.listMessages(id);
    expect(out.at(-1)?.text).toBe('Hello Ada, welcome to Test Shop!');
    expect(out.at(-1)?.status).toBe('queued');
    const unknown = await rejection(actions.startFlow(id, 'nope', 'maya'));
    expect(unknown.status).toBe(400);
    expect(unknown.message).toBe('no flow "nope"; flows: pricing, greet, human, survey');
  });

  it('resolves with a survey flow in the same transaction; an unknown survey resolves nothing', async () => {
    const id = await customerSays('my order is late');
    const bad = await rejection(actions.resolve(id, 'maya', { survey: 'nope' }));
    expect(bad.status).toBe(400);
    expect((await conv(id)).status).toBe('open');

    const resolved = await actions.resolve(id, 'maya', { survey: 'survey' });
    expect(resolved.status).toBe('resolved');
    expect(written.map((w) => w.messages.map((m) => m.text))).toEqual([['Hello Ada, welcome to Test Shop!']]);
    expect(await notes(id)).toEqual(['Resolved by maya; survey "survey" sent.']);
  });

  it('sends the configured CSAT flow on every resolve unless the caller names none', async () => {
    const withCsat = createAgentActions({
      store,
      clock,
      outbound: createOutbound({ destinationOf: () => 'dest' }),
      onMessages: () => {},
      flows: { settings, onWritten: (w) => written.push(w) },
      csatOnResolve: 'survey',
    });
    const id = await customerSays('my order is late');
    await withCsat.resolve(id, 'maya');
    expect(written).toHaveLength(1);
    await withCsat.reopen(id, 'maya');
    await withCsat.resolve(id, 'maya', { survey: null });
    expect(written).toHaveLength(1);
  });

  it('refuses flows when none were given to it', async () => {
    const id = await customerSays('my order is late');
    const bare = createAgentActions({
      store,
      clock,
      outbound: createOutbound({ destinationOf: () => 'dest' }),
      onMessages: () => {},
    });
    expect((await rejection(bare.startFlow(id, 'greet', 'maya'))).status).toBe(409);
  });
});
