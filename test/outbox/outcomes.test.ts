import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { permanent, rateLimited, SendError, transient } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { createOutboxLimiter, type OutboxLimiter } from '../../src/outbox/limiter.ts';
import type { Store } from '../../src/store/contract.ts';
import { FakeAdapter } from '../support/fake-adapter.ts';
import { capturedLog } from '../support/log-capture.ts';
import { conversationOn, queueMessage, T0, tempStore, testWorker } from './fixture.ts';

/**
 * What the outbox writes back for each way a send can end (outcomes.ts), seen
 * at the fake provider and in the store, on the virtual clock.
 */
let clock: VirtualClock;
let store: Store;
let cleanup: () => Promise<void>;
let fake: FakeAdapter;
let limiter: OutboxLimiter;

beforeEach(async () => {
  clock = new VirtualClock(T0);
  ({ store, cleanup } = await tempStore('outcomes'));
  fake = new FakeAdapter({ clock });
  limiter = createOutboxLimiter({ adapters: new Map([['fake', fake]]), log: silentLogger, clock });
});

afterEach(async () => {
  await limiter.close();
  await cleanup();
});

const worker = (over: Parameters<typeof testWorker>[0] extends infer O ? Partial<O> : never = {}) =>
  testWorker({ store, adapters: new Map([['fake', fake]]), limiter, clock, owner: 'w1', ...over });

/** Drains at each instant given (ms after T0), moving the virtual clock there first. */
async function drainAt(w: ReturnType<typeof worker>, ...at: number[]): Promise<void> {
  for (const t of at) {
    clock.set(T0 + t);
    await w.drain();
  }
}

describe('outbox outcomes', () => {
  it('records a provider’s opt-out on the contact, once, and dead-letters the row without retrying', async () => {
    const conversation = await conversationOn(store, 'fake');
    await queueMessage(store, conversation, { text: 'one' });
    await queueMessage(store, conversation, { text: 'two' });
    const optedOut = () =>
      new SendError('permanent', 'recipient unsubscribed', { providerCode: 21610, optedOut: true });
    fake.failNext(optedOut(), optedOut());
    await drainAt(worker(), 0, 60_000);
    expect(fake.attempts).toHaveLength(2);
    expect(await store.countOutbox('dead')).toBe(2);
    expect((await store.getContact(conversation.contactId))?.optOuts).toEqual(['fake']);
  });

  it('leaves the contact alone after a permanent failure that is not an opt-out', async () => {
    const conversation = await conversationOn(store, 'fake');
    await queueMessage(store, conversation);
    fake.failNext(permanent('invalid number', 21211));
    await drainAt(worker(), 0);
    expect(await store.countOutbox('dead')).toBe(1);
    expect((await store.getContact(conversation.contactId))?.optOuts).toEqual([]);
  });

  it('waits at least a second after a rate limit that says retry after 0, and does not count it as an attempt', async () => {
    const conversation = await conversationOn(store, 'fake');
    await queueMessage(store, conversation);
    fake.failNext(rateLimited('429', 0), rateLimited('429', 0), rateLimited('429', 0));
    const w = worker({ maxAttempts: 2 });
    await drainAt(w, 0, 999, 1_000, 1_999, 2_000, 3_000);
    expect(fake.attempts.map((a) => a.at - T0)).toEqual([0, 1_000, 2_000, 3_000]);
    expect(fake.attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed', 'sent']);
    expect(fake.attempts.at(-1)?.message.attempt).toBe(1);
  });

  it('waits rateLimitWaitMs after a rate limit that names no Retry-After', async () => {
    const conversation = await conversationOn(store, 'fake');
    await queueMessage(store, conversation);
    fake.failNext(rateLimited('429', null));
    const w = worker({ rateLimitWaitMs: 7_000 });
    await drainAt(w, 0, 6_999, 7_000);
    expect(fake.attempts.map((a) => a.at - T0)).toEqual([0, 7_000]);
  });

  it('tells onRetry when the row is due again, and onDeadLetter why it gave up', async () => {
    const conversation = await conversationOn(store, 'fake');
    const { job } = await queueMessage(store, conversation);
    fake.failNext(transient('503', null, 503), transient('503', null, 503));
    const retries: Array<[string, string, number]> = [];
    const dead: Array<[string, string]> = [];
    const w = worker({
      maxAttempts: 2,
      onRetry: (j, error, nextAt) => {
        retries.push([j.id, error.failure, nextAt - T0]);
      },
      onDeadLetter: (j, reason) => {
        dead.push([j.id, reason]);
      },
    });
    await drainAt(w, 0, 500); // the fixture's backoff: 500 ms
    expect(retries).toEqual([[job.id, 'transient', 500]]);
    expect(dead).toEqual([[job.id, 'transient: 503 (provider code 503) (gave up after 2 attempts)']]);
  });

  it('a hook that rejects or throws never touches the row', async () => {
    const conversation = await conversationOn(store, 'fake');
    await queueMessage(store, conversation, { text: 'one' });
    await queueMessage(store, conversation, { text: 'two' });
    fake.failNext(transient('503'), permanent('bad'));
    const { log, lines } = capturedLog();
    const w = worker({
      log,
      onRetry: () => Promise.reject(new Error('desk down')),
      onDeadLetter: () => {
        throw new Error('desk down');
      },
      onDelivered: () => Promise.reject(new Error('desk down')),
    });
    await drainAt(w, 0, 500, 1_000);
    await new Promise<void>((r) => setImmediate(r)); // the rejected hooks' handlers run
    // Loud, each with its hook's name.
    expect(lines.filter((l) => l.msg === 'outbox hook failed').map((l) => l.hook)).toEqual(
      expect.arrayContaining(['onRetry', 'onDeadLetter', 'onDelivered']),
    );
    expect(lines.find((l) => l.msg === 'outbound message dead-lettered')).toMatchObject({
      channel: 'fake',
      reason: 'permanent: bad',
    });
    // "one" is retried after the 503, then dead-lettered; "two", behind it in the conversation, is sent.
    expect(fake.attempts.map((a) => [a.message.text, a.outcome])).toEqual([
      ['one', 'failed'],
      ['one', 'failed'],
      ['two', 'sent'],
    ]);
    expect(await store.countOutbox('sent')).toBe(1);
    expect(await store.countOutbox('dead')).toBe(1);
    expect(await store.countOutbox('pending')).toBe(0);
  });

  it('records a send the adapter answered with no result as sent, with no provider id', async () => {
    const conversation = await conversationOn(store, 'fake');
    const { message } = await queueMessage(store, conversation);
    const silent = new FakeAdapter({ clock });
    silent.send = async () => undefined as never;
    const delivered: Array<string | null> = [];
    const w = worker({
      adapters: new Map([['fake', silent]]),
      onDelivered: (_j, r) => void delivered.push(r.providerId),
    });
    await w.drain();
    expect(delivered).toEqual([null]);
    expect((await store.listMessages(conversation.id))[0]).toMatchObject({
      id: message.id,
      status: 'sent',
      providerId: null,
    });
  });

  it('a send that could not start (the limiter failed) spends no attempt, is retried after the backoff, and says so', async () => {
    const conversation = await conversationOn(store, 'fake');
    await queueMessage(store, conversation);
    let failures = 1;
    const flaky = new Proxy(limiter, {
      get(target, key) {
        if (key === 'schedule' && failures > 0) {
          failures--;
          return () => Promise.reject(new Error('redis: connection refused'));
        }
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const { log, lines } = capturedLog();
    await drainAt(worker({ limiter: flaky, log, maxAttempts: 1 }), 0, 499, 500);
    expect(fake.attempts.map((a) => [a.at - T0, a.message.attempt, a.outcome])).toEqual([[500, 1, 'sent']]);
    expect(lines.some((l) => l.msg === 'a send could not start; it is retried')).toBe(true);
  });
});
