import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createBackoff } from '../../src/retry/backoff.ts';
import type { NewTimer, Store, Timer } from '../../src/store/contract.ts';
import { handlerFor, type TimerHandler } from '../../src/timers/handlers.ts';
import { createTimerScheduler, type TimerSchedulerOptions } from '../../src/timers/scheduler.ts';
import { conversationOn, settle, T0, tempStore } from '../outbox/fixture.ts';

let clock: VirtualClock;
let store: Store;
let reopen: () => Promise<Store>;
let cleanup: () => Promise<void>;
let fired: Array<{ at: number; timer: Timer }>;

beforeEach(async () => {
  clock = new VirtualClock(T0);
  ({ store, reopen, cleanup } = await tempStore('timers'));
  fired = [];
});

afterEach(() => cleanup());

/** Records the firing, and tags the conversation inside the handler's transaction. */
const record: TimerHandler = async (timer, tx) => {
  fired.push({ at: clock.now(), timer });
  if (timer.conversationId) await tx.updateConversation(timer.conversationId, { tags: ['fired'] }, clock.now());
};

function scheduler(over: Partial<TimerSchedulerOptions> = {}) {
  return createTimerScheduler({
    store,
    clock,
    log: silentLogger,
    owner: 'timers-1',
    leaseMs: 30_000,
    handlers: { 'test.ping': record },
    backoff: createBackoff({ baseMs: 2_000, maxMs: 60_000, random: () => 0.5 }),
    ...over,
  });
}

function schedule(s: Store, timer: NewTimer): Promise<Timer> {
  return s.transaction((tx) => tx.scheduleTimer(timer, T0));
}

describe('timer scheduler', () => {
  it('fires a due timer once, with its effects committed in the same transaction', async () => {
    const conversation = await conversationOn(store, 'fake');
    const timer = await schedule(store, {
      kind: 'test.ping',
      conversationId: conversation.id,
      dueAt: T0 + 10_000,
      payload: { step: 2 },
    });
    const s = scheduler();
    await s.drain();
    clock.advance(9_999);
    await s.drain();
    expect(fired).toEqual([]);

    clock.advance(1);
    await s.drain();
    clock.advance(60_000);
    await s.drain();
    expect(fired.map((f) => [f.at, f.timer.id, f.timer.payload])).toEqual([[T0 + 10_000, timer.id, { step: 2 }]]);
    expect((await store.getConversation(conversation.id))?.tags).toEqual(['fired']);
    expect(await store.nextDueAt()).toBeNull();
  });

  it('fires a due timer after a restart, and never again after the next one', async () => {
    await schedule(store, { kind: 'test.ping', dueAt: T0 + 60_000 });
    const first = scheduler();
    first.start();
    await first.stop();
    await store.close();

    clock.advance(60_000);
    store = await reopen();
    await scheduler({ owner: 'timers-2' }).drain();
    expect(fired.map((f) => f.at)).toEqual([T0 + 60_000]);
    await store.close();

    clock.advance(60_000);
    store = await reopen();
    await scheduler({ owner: 'timers-3' }).drain();
    expect(fired).toHaveLength(1);
  });

  it('fires a timer claimed by a process that died, once its lease expires', async () => {
    await schedule(store, { kind: 'test.ping', dueAt: T0 });
    expect(await store.claimTimers({ owner: 'dead', now: T0, leaseMs: 30_000, limit: 10 })).toHaveLength(1);
    const s = scheduler();
    await s.drain();
    expect(fired).toEqual([]);
    clock.advance(30_000);
    await s.drain();
    expect(fired.map((f) => f.at)).toEqual([T0 + 30_000]);
  });

  it('reschedules a failing handler with backoff and rolls back what it wrote', async () => {
    const conversation = await conversationOn(store, 'fake');
    await schedule(store, { kind: 'test.ping', conversationId: conversation.id, dueAt: T0 });
    let calls = 0;
    const flaky: TimerHandler = async (timer, tx) => {
      calls++;
      if (calls === 1) {
        await tx.updateConversation(conversation.id, { tags: ['half-done'] }, clock.now());
        throw new Error('calendar service down');
      }
      await record(timer, tx);
    };
    const s = scheduler({ handlers: { 'test.ping': flaky } });
    await s.drain();
    expect(calls).toBe(1);
    expect((await store.getConversation(conversation.id))?.tags).toEqual([]);

    clock.advance(999); // first retry waits 1 s with the fixed jitter
    await s.drain();
    expect(calls).toBe(1);
    clock.advance(1);
    await s.drain();
    expect(fired.map((f) => [f.at, f.timer.attempts])).toEqual([[T0 + 1_000, 1]]);
    expect((await store.getConversation(conversation.id))?.tags).toEqual(['fired']);
  });

  it('gives up after maxAttempts when set, completing the timer', async () => {
    await schedule(store, { kind: 'test.ping', dueAt: T0 });
    let calls = 0;
    const broken: TimerHandler = async () => {
      calls++;
      throw new Error('bug');
    };
    const s = scheduler({ handlers: { 'test.ping': broken }, maxAttempts: 2 });
    for (let i = 0; i < 4; i++) {
      await s.drain();
      clock.advance(60_000);
    }
    expect(calls).toBe(2);
    expect(await store.nextDueAt()).toBeNull();
  });

  it('fires only the latest timer scheduled under a key', async () => {
    await schedule(store, { kind: 'test.ping', dueAt: T0 + 10_000, key: 'reminder:c1', payload: { v: 1 } });
    await schedule(store, { kind: 'test.ping', dueAt: T0 + 20_000, key: 'reminder:c1', payload: { v: 2 } });
    const s = scheduler();
    clock.advance(10_000);
    await s.drain();
    expect(fired).toEqual([]);
    clock.advance(10_000);
    await s.drain();
    clock.advance(60_000);
    await s.drain();
    expect(fired.map((f) => [f.at, f.timer.payload])).toEqual([[T0 + 20_000, { v: 2 }]]);
  });

  it('completes a timer of an unknown kind instead of retrying it forever', async () => {
    await schedule(store, { kind: 'nobody.handles.this', dueAt: T0 });
    await schedule(store, { kind: 'test.ping', dueAt: T0 });
    const s = scheduler();
    await s.drain();
    clock.advance(3_600_000);
    await s.drain();
    expect(fired.map((f) => f.timer.kind)).toEqual(['test.ping']);
    expect(await store.nextDueAt()).toBeNull();
  });

  it('runs on the clock while started: a kick picks up new timers, advance() fires them', async () => {
    const s = scheduler();
    s.start();
    await schedule(store, { kind: 'test.ping', dueAt: T0 + 5 * 60_000 });
    s.kick();
    await settle();
    expect(fired).toEqual([]);
    clock.advance(5 * 60_000);
    for (let i = 0; i < 10 && fired.length === 0; i++) await settle();
    expect(fired.map((f) => f.at)).toEqual([T0 + 5 * 60_000]);
    await s.stop();
  });
});

describe('timer handler lookup', () => {
  const h = (name: string): TimerHandler => Object.assign(async () => {}, { label: name });
  const handlers = { sla: h('sla'), 'sla.breach': h('breach'), 'flow.': h('flow'), snooze: h('snooze') };
  const label = (kind: string) => (handlerFor(handlers, kind) as unknown as { label: string } | null)?.label ?? null;

  it('prefers an exact kind, then the longest dotted prefix', () => {
    expect(label('sla.breach')).toBe('breach');
    expect(label('sla.warning')).toBe('sla');
    expect(label('flow.wait')).toBe('flow');
    expect(label('snooze')).toBe('snooze');
  });

  it('never matches part of a word', () => {
    expect(label('slack.retry')).toBeNull();
    expect(label('snoozed')).toBeNull();
    expect(label('toString')).toBeNull();
  });
});
