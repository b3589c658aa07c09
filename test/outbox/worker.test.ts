import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SendResult } from '../../src/channel/contract.ts';
import { VirtualClock } from '../../src/clock.ts';
import { permanent, rateLimited, transient } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { createOutboxLimiter, type OutboxLimiter } from '../../src/outbox/limiter.ts';
import { createOutboxWorker, type OutboxWorkerOptions } from '../../src/outbox/worker.ts';
import { createBackoff } from '../../src/retry/backoff.ts';
import type { AdoptedOutbound, OutboxJob, Store } from '../../src/store/contract.ts';
import { FakeAdapter } from '../support/fake-adapter.ts';
import { conversationOn, queueMessage, settle, T0, tempStore } from './fixture.ts';

let clock: VirtualClock;
let store: Store;
let cleanup: () => Promise<void>;
let fake: FakeAdapter;
let limiter: OutboxLimiter;
const delivered: Array<{ job: OutboxJob; result: SendResult }> = [];
const deadLettered: Array<{ job: OutboxJob; reason: string }> = [];

beforeEach(async () => {
  clock = new VirtualClock(T0);
  ({ store, cleanup } = await tempStore('outbox'));
  fake = new FakeAdapter({ clock });
  limiter = createOutboxLimiter({ adapters: new Map([['fake', fake]]), log: silentLogger });
  delivered.length = 0;
  deadLettered.length = 0;
});

afterEach(async () => {
  await limiter.close();
  await cleanup();
});

/** Backoff with a fixed jitter of one half: retry n waits exactly 1 s · 2^(n−1). */
const halfJitter = createBackoff({ baseMs: 2_000, maxMs: 60_000, random: () => 0.5 });

function worker(over: Partial<OutboxWorkerOptions> = {}) {
  return createOutboxWorker({
    store,
    adapters: new Map([['fake', fake]]),
    limiter,
    clock,
    log: silentLogger,
    owner: 'worker-1',
    leaseMs: 60_000,
    maxAttempts: 5,
    backoff: halfJitter,
    concurrency: 8,
    onDelivered: (job, result) => {
      delivered.push({ job, result });
    },
    onDeadLetter: (job, reason) => {
      deadLettered.push({ job, reason });
    },
    ...over,
  });
}

describe('outbox worker', () => {
  it('waits out a 429, backs off a 5xx, then delivers exactly once', async () => {
    const conversation = await conversationOn(store, 'fake', '+15550001');
    const { message, job } = await queueMessage(store, conversation, { text: 'Your table is booked' });
    fake.failNext(rateLimited('429 Too Many Requests', 30_000, 429), transient('503 Service Unavailable', null, 503));
    const w = worker();

    await w.drain();
    clock.advance(29_999);
    await w.drain();
    expect(fake.attempts.map((a) => a.at)).toEqual([T0]);

    clock.advance(1);
    await w.drain();
    clock.advance(999); // first transient retry waits 1 s with the fixed jitter
    await w.drain();
    expect(fake.attempts.map((a) => a.at)).toEqual([T0, T0 + 30_000]);

    clock.advance(1);
    await w.drain();
    clock.advance(120_000);
    await w.drain();

    expect(fake.attempts.map((a) => [a.at, a.outcome])).toEqual([
      [T0, 'failed'],
      [T0 + 30_000, 'failed'],
      [T0 + 31_000, 'sent'],
    ]);
    // The rate limit does not count as an attempt; the same outbox id is the idempotency key throughout.
    expect(fake.attempts.map((a) => a.message.attempt)).toEqual([1, 1, 2]);
    expect(new Set(fake.attempts.map((a) => a.message.id))).toEqual(new Set([job.id]));
    expect(delivered.map((d) => [d.job.id, d.result.providerId])).toEqual([[job.id, 'fake-1']]);
    expect(await store.countOutbox('sent')).toBe(1);
    expect(await store.countOutbox('pending')).toBe(0);
    const [stored] = await store.listMessages(conversation.id);
    expect(stored).toMatchObject({ id: message.id, status: 'sent', providerId: 'fake-1' });
  });

  it('hands the adapter the message with its thread, references and the automatic flag', async () => {
    const conversation = await conversationOn(store, 'fake', '+15550002');
    await queueMessage(store, conversation, { text: 'from a bot', author: { kind: 'bot' } });
    await queueMessage(store, conversation, { text: 'from Sam', author: { kind: 'agent', id: 'U1', name: 'Sam' } });
    await worker().drain();
    const [bot, agent] = fake.sent;
    expect(bot).toMatchObject({
      channel: 'fake',
      conversationId: conversation.id,
      threadKey: '+15550002',
      destination: '+15550002',
      touchpoint: conversation.touchpoint,
      replyRef: { to: '+15550002' },
      text: 'from a bot',
      automatic: true,
      references: [],
      attempt: 1,
    });
    expect(agent).toMatchObject({ text: 'from Sam', automatic: false, author: { kind: 'agent', name: 'Sam' } });
    expect(agent?.references).toEqual(['fake-1']);
  });

  it('sends rows adopted from the router without claiming or reading them back', async () => {
    const conversation = await conversationOn(store, 'fake', '+15550003');
    await queueMessage(store, conversation, { text: 'earlier' });
    await worker().drain();
    const adopted: AdoptedOutbound[] = [];
    await store.transaction(
      async (tx) => {
        const message = await tx.insertMessage(
          {
            conversationId: conversation.id,
            direction: 'outbound',
            author: { kind: 'bot' },
            text: 'adopted reply',
            attachments: [],
            providerId: null,
            status: 'queued',
            visibility: 'customer',
          },
          T0,
        );
        const job = { messageId: message.id, conversationId: conversation.id, channel: 'fake', dueAt: T0 };
        await tx.enqueueOutbound({ ...job, destination: '+15550003' }, T0, { message, conversation });
      },
      { adopt: { owner: 'worker-1', leaseMs: 60_000, adopted } },
    );
    const reads = { claimed: 0, loaded: 0 };
    const claim = store.claimOutbox.bind(store);
    store.claimOutbox = async (lease) => {
      const jobs = await claim(lease);
      reads.claimed += jobs.length;
      return jobs;
    };
    store.loadOutbound = async () => {
      reads.loaded++;
      return null;
    };
    const w = worker();
    w.adopt(adopted);
    await w.drain();
    expect(reads).toEqual({ claimed: 0, loaded: 0 });
    expect(fake.sent.map((m) => [m.text, m.references])).toEqual([
      ['earlier', []],
      ['adopted reply', ['fake-1']],
    ]);
    expect(await store.countOutbox('sent')).toBe(2);
  });

  it('gives the thread’s earlier provider ids only to channels that ask for them', async () => {
    const plain = new FakeAdapter({ clock, channel: 'plain', references: false });
    const conversation = await conversationOn(store, 'plain', '+15550004');
    await queueMessage(store, conversation, { text: 'one' });
    await queueMessage(store, conversation, { text: 'two' });
    const plainLimiter = createOutboxLimiter({ adapters: new Map([['plain', plain]]), log: silentLogger });
    await worker({ adapters: new Map([['plain', plain]]), limiter: plainLimiter }).drain();
    await plainLimiter.close();
    expect(plain.sent.map((m) => [m.text, m.references])).toEqual([
      ['one', []],
      ['two', []],
    ]);
  });

  it('dead-letters a permanent failure at once, keeping the provider code, and sends it after a retry', async () => {
    const conversation = await conversationOn(store, 'fake');
    const { job, message } = await queueMessage(store, conversation);
    fake.failNext(permanent('The recipient opted out', 21610));
    const w = worker();
    await w.drain();

    expect(fake.attempts).toHaveLength(1);
    const [dead] = await store.listDeadLetters();
    expect(dead).toMatchObject({ id: job.id, text: 'hello' });
    expect(dead?.lastError).toMatch(/permanent: The recipient opted out \(provider code 21610\)/);
    expect(deadLettered.map((d) => d.job.id)).toEqual([job.id]);
    expect(deadLettered[0]?.reason).toContain('21610');
    expect((await store.listMessages(conversation.id))[0]).toMatchObject({ id: message.id, status: 'failed' });

    expect(await store.retryDeadLetter(job.id, clock.now())).toBe(true);
    await w.drain();
    expect(fake.sent.map((m) => m.id)).toEqual([job.id]);
    expect(await store.listDeadLetters()).toEqual([]);
    expect(await store.countOutbox('sent')).toBe(1);
  });

  it('dead-letters after maxAttempts transient failures, backing off between them', async () => {
    const conversation = await conversationOn(store, 'fake');
    const { job } = await queueMessage(store, conversation);
    fake.failNext(new Error('socket hang up'), transient('502'), transient('502'), transient('502'));
    const w = worker({ maxAttempts: 3 });
    for (let i = 0; i < 5; i++) {
      await w.drain();
      clock.advance(10_000);
    }
    // Unknown errors count as transient; retries wait 1 s, then 2 s.
    expect(fake.attempts.map((a) => a.at)).toEqual([T0, T0 + 10_000, T0 + 20_000]);
    const [dead] = await store.listDeadLetters();
    expect(dead?.id).toBe(job.id);
    expect(dead?.lastError).toMatch(/transient: 502 \(gave up after 3 attempts\)/);
    expect(deadLettered).toHaveLength(1);
  });

  it('dead-letters a row whose channel has no adapter loaded, with the reason', async () => {
    const conversation = await conversationOn(store, 'ghost');
    const { job } = await queueMessage(store, conversation);
    await worker().drain();
    const [dead] = await store.listDeadLetters();
    expect(dead?.id).toBe(job.id);
    expect(dead?.lastError).toMatch(/no adapter is loaded for channel "ghost"/);
    expect(fake.attempts).toEqual([]);
  });

  it('never sends an internal note', async () => {
    const conversation = await conversationOn(store, 'fake');
    const { job } = await queueMessage(store, conversation, { internal: true });
    await worker().drain();
    expect(fake.attempts).toEqual([]);
    const [dead] = await store.listDeadLetters();
    expect(dead?.id).toBe(job.id);
    expect(dead?.lastError).toMatch(/internal note/);
  });

  it('sends again after a crash between claim and record, once the lease expires', async () => {
    const conversation = await conversationOn(store, 'fake');
    const { job } = await queueMessage(store, conversation);
    const hang = fake.blockNext();
    const crashed = worker({ owner: 'crashed' });
    void crashed.tick();
    const first = await hang.started;
    // The first process is gone mid-send: its row stays leased. The next process has its own limiter.

    const fresh = createOutboxLimiter({ adapters: new Map([['fake', fake]]), log: silentLogger });
    const second = worker({ owner: 'worker-2', limiter: fresh });
    await second.drain();
    clock.advance(59_999);
    await second.drain();
    expect(fake.attempts).toHaveLength(0);

    clock.advance(1);
    await second.drain();
    expect(fake.sent.map((m) => [m.id, m.attempt])).toEqual([[job.id, 1]]);
    expect(first.id).toBe(job.id); // the same idempotency key, for providers that dedupe
    expect(await store.countOutbox('sent')).toBe(1);
  });

  it('sends the rows of one destination in due order, even across a retry', async () => {
    const conversation = await conversationOn(store, 'fake', '+15550003');
    await queueMessage(store, conversation, { text: 'third', dueAt: T0 + 3 });
    await queueMessage(store, conversation, { text: 'first', dueAt: T0 + 1 });
    await queueMessage(store, conversation, { text: 'second', dueAt: T0 + 2 });
    fake.failNext(transient('timeout'));
    const w = worker();
    clock.advance(3);
    await w.drain();
    // "first" failed: the later rows wait behind its retry instead of overtaking it.
    expect(fake.attempts.map((a) => [a.message.text, a.outcome])).toEqual([['first', 'failed']]);

    clock.advance(1_000);
    await w.drain();
    clock.advance(10);
    await w.drain();
    expect(fake.sent.map((m) => m.text)).toEqual(['first', 'second', 'third']);
  });

  it('keeps destinations apart: a failing one does not hold up another', async () => {
    const slow = await conversationOn(store, 'fake', '+15550010');
    const other = await conversationOn(store, 'fake', '+15550011');
    await queueMessage(store, slow, { text: 'a1' });
    fake.failNext(transient('timeout'));
    const w = worker();
    await w.drain();
    await queueMessage(store, slow, { text: 'a2' });
    await queueMessage(store, other, { text: 'b1' });
    await w.drain();
    expect(fake.sent.map((m) => m.text)).toEqual(['b1']);
    clock.advance(1_000);
    await w.drain();
    clock.advance(1);
    await w.drain();
    expect(fake.sent.map((m) => m.text)).toEqual(['b1', 'a1', 'a2']);
  });

  it('holds later rows of a rate-limited destination until the wait is over', async () => {
    const conversation = await conversationOn(store, 'fake', '+15550005');
    await queueMessage(store, conversation, { text: 'one' });
    fake.failNext(rateLimited('slow down', 5_000));
    const w = worker();
    await w.drain();
    await queueMessage(store, conversation, { text: 'two', dueAt: T0 + 1_000 });
    clock.advance(1_000);
    await w.drain();
    expect(fake.attempts.map((a) => a.message.text)).toEqual(['one']);
    clock.advance(4_000);
    await w.drain();
    clock.advance(1);
    await w.drain();
    expect(fake.sent.map((m) => m.text)).toEqual(['one', 'two']);
    expect(fake.attempts.map((a) => a.at)).toEqual([T0, T0 + 5_000, T0 + 5_001]);
  });

  it('stop() waits for the send under way and releases the other leases', async () => {
    const conversation = await conversationOn(store, 'fake', '+15550006');
    await queueMessage(store, conversation, { text: 'one' });
    await queueMessage(store, conversation, { text: 'two' });
    const hang = fake.blockNext();
    const w = worker();
    w.start();
    await hang.started;

    let stopped = false;
    const stopping = w.stop().then(() => {
      stopped = true;
    });
    await settle();
    expect(stopped).toBe(false);
    hang.release();
    await stopping;
    expect(fake.sent.map((m) => m.text)).toEqual(['one']);
    expect(await store.countOutbox('sent')).toBe(1);

    // "two" was claimed but never started: released, so another worker takes it without waiting for the lease.
    await worker({ owner: 'worker-2' }).drain();
    expect(fake.sent.map((m) => m.text)).toEqual(['one', 'two']);
  });

  it('sleeps on the clock while running: a future row fires when the virtual clock reaches it', async () => {
    const conversation = await conversationOn(store, 'fake');
    const w = worker();
    w.start();
    await queueMessage(store, conversation, { text: 'later', dueAt: T0 + 10 * 60_000 });
    w.kick();
    await settle();
    expect(fake.attempts).toHaveLength(0);
    clock.advance(10 * 60_000);
    await fake.waitForAttempts(1);
    expect(fake.attempts[0]?.at).toBe(T0 + 10 * 60_000);
    await w.stop();
  });

  it('keeps a row that waited behind the pace past half its lease: the lease is extended and it is sent once', async () => {
    const paced = new FakeAdapter({ clock, rateLimit: { minTimeMs: 200, maxConcurrent: 1 } });
    const pacedLimiter = createOutboxLimiter({ adapters: new Map([['fake', paced]]), log: silentLogger });
    const conversation = await conversationOn(store, 'fake');
    await queueMessage(store, conversation, { text: 'one' });
    await queueMessage(store, conversation, { text: 'two' });
    const putBack: number[] = [];
    const w = worker({
      adapters: new Map([['fake', paced]]),
      limiter: pacedLimiter,
      onPutBack: (_channel, rows) => putBack.push(rows),
    });
    const round = w.tick();
    await paced.waitForAttempts(1);
    clock.advance(30_001); // "two" now waits in the limiter with less than half its lease left
    await round;
    expect(paced.sent.map((m) => m.text)).toEqual(['one', 'two']);
    expect(paced.attempts[1]?.at).toBe(T0 + 30_001);
    expect(await store.countOutbox('pending')).toBe(0);
    expect(putBack).toEqual([]);
    await pacedLimiter.close();
  });

  it('gives up a waiting row another worker claimed after its lease ran out, and never frees that lease', async () => {
    const paced = new FakeAdapter({ clock, rateLimit: { minTimeMs: 200, maxConcurrent: 1 } });
    const pacedLimiter = createOutboxLimiter({ adapters: new Map([['fake', paced]]), log: silentLogger });
    const conversation = await conversationOn(store, 'fake');
    await queueMessage(store, conversation, { text: 'one' });
    await queueMessage(store, conversation, { text: 'two' });
    const putBack: number[] = [];
    const w = worker({
      adapters: new Map([['fake', paced]]),
      limiter: pacedLimiter,
      onPutBack: (_channel, rows) => putBack.push(rows),
    });
    const round = w.tick();
    await paced.waitForAttempts(1);
    await vi.waitFor(async () => expect(await store.countOutbox('sent')).toBe(1));
    clock.advance(60_001); // past the whole lease: another worker takes "two" while it waits here
    const taken = await store.claimOutbox({ owner: 'worker-2', now: clock.now(), leaseMs: 60_000, limit: 10 });
    expect(taken.map((j) => j.id)).toHaveLength(1);
    await round;
    expect(paced.sent.map((m) => m.text)).toEqual(['one']);
    expect(putBack).toEqual([1]);
    // Still worker-2's: a third claim finds nothing, so "two" cannot go out twice.
    expect(await store.claimOutbox({ owner: 'worker-3', now: clock.now(), leaseMs: 60_000, limit: 10 })).toEqual([]);
    await pacedLimiter.close();
  });

  it('stop() does not wait for sends still queued in the limiter', async () => {
    const capped = new FakeAdapter({ clock, rateLimit: { minTimeMs: 0, maxConcurrent: 1, channelPerSecond: 0.1 } });
    const cappedLimiter = createOutboxLimiter({ adapters: new Map([['fake', capped]]), log: silentLogger });
    await queueMessage(store, await conversationOn(store, 'fake', '+15550020'), { text: 'now' });
    await queueMessage(store, await conversationOn(store, 'fake', '+15550021'), { text: 'in ten seconds' });
    const w = worker({ adapters: new Map([['fake', capped]]), limiter: cappedLimiter });
    w.start();
    await capped.waitForAttempts(1);
    const began = Date.now();
    await w.stop();
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(capped.sent.map((m) => m.text)).toEqual(['now']);

    await worker({ owner: 'worker-2' }).drain();
    expect(fake.sent.map((m) => m.text)).toEqual(['in ten seconds']);
    await cappedLimiter.close();
  });

  it('a failing hook never affects the row', async () => {
    const conversation = await conversationOn(store, 'fake');
    await queueMessage(store, conversation);
    const w = worker({
      onDelivered: () => {
        throw new Error('desk unavailable');
      },
    });
    await w.drain();
    expect(await store.countOutbox('sent')).toBe(1);
  });

  it('refuses nonsensical settings', () => {
    expect(() => worker({ concurrency: 0 })).toThrow(/concurrency/);
    expect(() => worker({ leaseMs: 0 })).toThrow(/leaseMs/);
    expect(() => worker({ maxAttempts: 0 })).toThrow(/maxAttempts/);
  });
});
