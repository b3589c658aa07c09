import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendCheck, SendResult, UnconfirmedSend } from '../../src/channel/contract.ts';
import { VirtualClock } from '../../src/clock.ts';
import { permanent, transient, uncertain } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import type { OutboundMessage } from '../../src/model/types.ts';
import { createOutboxLimiter, type OutboxLimiter } from '../../src/outbox/limiter.ts';
import type { UnconfirmedPolicy } from '../../src/outbox/unconfirmed.ts';
import type { OutboxJob, Store } from '../../src/store/contract.ts';
import { FakeAdapter } from '../support/fake-adapter.ts';
import { conversationOn, queueMessage, T0, tempStore, testWorker } from './fixture.ts';

/**
 * A send whose outcome was never recorded (the router died between the
 * provider's answer and the commit, or the request timed out) is settled with
 * the provider before the row is sent again: counted at the provider, every
 * message goes out once, or the conversation says it may not have.
 */

/** A provider that keeps what it accepted, by outbox id, and can be asked about it like Slack's metadata. */
class Provider extends FakeAdapter {
  readonly accepted = new Map<string, string>();
  readonly asked: Array<{ id: string; attempt: UnconfirmedSend }> = [];
  /** The next send is accepted, but its answer never comes back (the router dies meanwhile). */
  dieAfterAccepting = false;
  /** The next send never reaches the provider (the router dies first). */
  dieBeforeAccepting = false;
  readonly checkFailures: unknown[] = [];
  /** Sends begun, whatever became of them. */
  calls = 0;
  #n = 0;

  constructor(opts: ConstructorParameters<typeof FakeAdapter>[0] & { idempotent?: boolean }) {
    super(opts);
    this.capabilities.idempotentSend = opts.idempotent === true;
  }

  override async send(message: OutboundMessage): Promise<SendResult> {
    this.calls++;
    if (this.dieBeforeAccepting) {
      this.dieBeforeAccepting = false;
      return new Promise(() => {});
    }
    const result = await super.send(message);
    const id = `P${++this.#n}`;
    this.accepted.set(`${message.id}#${this.accepted.size}`, id);
    if (this.dieAfterAccepting) {
      this.dieAfterAccepting = false;
      return new Promise(() => {});
    }
    return { ...result, providerId: id };
  }

  /** How many times the provider took this outbox row. */
  copies(outboxId: string): number {
    return [...this.accepted.keys()].filter((k) => k.startsWith(`${outboxId}#`)).length;
  }
}

/** The same provider, also answering the look-up. */
class Lookup extends Provider {
  async reconcile(message: OutboundMessage, attempt: UnconfirmedSend): Promise<SendCheck> {
    this.asked.push({ id: message.id, attempt });
    const failure = this.checkFailures.shift();
    if (failure) throw failure;
    const hit = [...this.accepted].find(([k]) => k.startsWith(`${message.id}#`));
    return hit ? { state: 'sent', providerId: hit[1] } : { state: 'not-sent' };
  }
}

let clock: VirtualClock;
let store: Store;
let cleanup: () => Promise<void>;
const limiters: OutboxLimiter[] = [];
const flagged: Array<{ job: OutboxJob; outcome: string }> = [];

beforeEach(async () => {
  clock = new VirtualClock(T0);
  ({ store, cleanup } = await tempStore('reconcile'));
  flagged.length = 0;
});

afterEach(async () => {
  for (const l of limiters.splice(0)) await l.close();
  await cleanup();
});

function worker(adapter: FakeAdapter, owner: string, policy: UnconfirmedPolicy = 'resend') {
  const adapters = new Map([['fake', adapter]]);
  const limiter = createOutboxLimiter({ adapters, log: silentLogger, clock });
  limiters.push(limiter);
  return testWorker({
    store,
    adapters,
    limiter,
    clock,
    owner,
    unconfirmed: policy,
    onUnconfirmed: (job, outcome) => {
      flagged.push({ job, outcome });
    },
  });
}

/** One worker starts the send and dies with it; a new process takes the row once its lease runs out. */
async function crashMidSend(adapter: Provider): Promise<void> {
  const before = adapter.calls;
  const first = worker(adapter, 'crashed');
  void first.tick();
  while (adapter.calls === before) await new Promise((r) => setTimeout(r, 1));
  clock.advance(60_000);
}

async function notes(conversationId: string): Promise<string[]> {
  const all = await store.listMessages(conversationId, { includeInternal: true });
  return all.filter((m) => m.visibility === 'internal').map((m) => m.text);
}

describe('an unconfirmed send after a crash', () => {
  it('is recorded as sent, not sent again, when the provider has it', async () => {
    const provider = new Lookup({ clock });
    const conversation = await conversationOn(store, 'fake');
    const { job, message } = await queueMessage(store, conversation, { text: 'Your order shipped' });
    provider.dieAfterAccepting = true;
    await crashMidSend(provider);

    await worker(provider, 'restarted').drain();
    expect(provider.copies(job.id)).toBe(1);
    expect(provider.asked.map((a) => [a.id, a.attempt.since])).toEqual([[job.id, T0]]);
    expect(await store.countOutbox('sent')).toBe(1);
    const [stored] = await store.listMessages(conversation.id);
    expect(stored).toMatchObject({ id: message.id, status: 'sent', providerId: 'P1' });
    expect(await notes(conversation.id)).toEqual([]);
  });

  it('is sent once when the provider never got it', async () => {
    const provider = new Lookup({ clock });
    const conversation = await conversationOn(store, 'fake');
    const { job } = await queueMessage(store, conversation);
    provider.dieBeforeAccepting = true;
    await crashMidSend(provider);

    await worker(provider, 'restarted').drain();
    expect(provider.copies(job.id)).toBe(1);
    expect(provider.asked).toHaveLength(1);
    expect(await store.countOutbox('sent')).toBe(1);
    // The provider said it never got it: nothing to warn the desk about.
    expect(await notes(conversation.id)).toEqual([]);
    expect(flagged).toEqual([]);
  });

  it('tells the look-up which provider ids of the conversation are already recorded', async () => {
    const provider = new Lookup({ clock });
    const conversation = await conversationOn(store, 'fake');
    await queueMessage(store, conversation, { text: 'first' });
    await worker(provider, 'w0').drain();
    await queueMessage(store, conversation, { text: 'second' });
    clock.advance(5_000);
    provider.dieAfterAccepting = true;
    await crashMidSend(provider);
    await worker(provider, 'restarted').drain();
    expect(provider.asked[0]?.attempt.knownProviderIds).toEqual(['P1']);
    // Asked about messages since the interrupted attempt began, not since the row was written.
    expect(provider.asked[0]?.attempt.since).toBe(T0 + 5_000);
  });

  it('without a way to ask, is sent again and the conversation says it may have gone out twice', async () => {
    const provider = new Provider({ clock });
    const conversation = await conversationOn(store, 'fake');
    const { job } = await queueMessage(store, conversation, { text: 'Your table is booked' });
    provider.dieAfterAccepting = true;
    await crashMidSend(provider);

    await worker(provider, 'restarted').drain();
    expect(provider.copies(job.id)).toBe(2);
    expect(await notes(conversation.id)).toEqual([
      'A reply may have been sent twice: sending "Your table is booked" was interrupted and fake cannot confirm whether it went out (fake offers no way to look a message up). It was sent again.',
    ]);
    const [note] = (await store.listMessages(conversation.id, { includeInternal: true })).filter(
      (m) => m.visibility === 'internal',
    );
    expect(note?.author).toEqual({ kind: 'system', name: 'outbox' });
    expect(flagged.map((f) => [f.job.id, f.outcome])).toEqual([[job.id, 'resent']]);
  });

  it('quotes at most 80 characters of a long message in the note', async () => {
    const provider = new Provider({ clock });
    const conversation = await conversationOn(store, 'fake');
    const exactly80 = 'x'.repeat(80);
    await queueMessage(store, conversation, { text: `${exactly80}and more` });
    provider.dieAfterAccepting = true;
    await crashMidSend(provider);
    await worker(provider, 'restarted').drain();
    await queueMessage(store, conversation, { text: exactly80 });
    provider.dieAfterAccepting = true;
    await crashMidSend(provider);
    await worker(provider, 'restarted-again').drain();
    const quoted = (await notes(conversation.id)).map((n) => n.match(/sending "([^"]*)"/)?.[1]);
    expect(quoted).toEqual([`${exactly80}…`, exactly80]);
  });

  it('with `hold`, is not sent again but dead-lettered with a note, and an agent’s retry sends it', async () => {
    const provider = new Provider({ clock });
    const conversation = await conversationOn(store, 'fake');
    const { job } = await queueMessage(store, conversation, { text: 'Your table is booked' });
    provider.dieAfterAccepting = true;
    await crashMidSend(provider);

    await worker(provider, 'restarted', 'hold').drain();
    expect(provider.copies(job.id)).toBe(1);
    const [dead] = await store.listDeadLetters();
    expect(dead).toMatchObject({ id: job.id, lastError: expect.stringMatching(/^unconfirmed: .*not sent again/) });
    expect(await notes(conversation.id)).toEqual([expect.stringMatching(/^A reply may not have been sent/)]);
    expect(flagged.map((f) => f.outcome)).toEqual(['held']);

    await store.retryDeadLetter(job.id, clock.now());
    await worker(provider, 'agent-retry', 'hold').drain();
    expect(provider.copies(job.id)).toBe(2);
    expect(await store.countOutbox('sent')).toBe(1);
  });

  it('on a channel whose resend reaches the customer once, is sent again without a note', async () => {
    const provider = new Provider({ clock, idempotent: true });
    const conversation = await conversationOn(store, 'fake');
    await queueMessage(store, conversation);
    provider.dieAfterAccepting = true;
    await crashMidSend(provider);
    await worker(provider, 'restarted').drain();
    expect(await store.countOutbox('sent')).toBe(1);
    expect(await notes(conversation.id)).toEqual([]);
    expect(flagged).toEqual([]);
  });
});

describe('an uncertain failure', () => {
  it('is looked up before the retry: a time-out after the provider took it sends nothing more', async () => {
    const provider = new Lookup({ clock });
    const conversation = await conversationOn(store, 'fake');
    const { job } = await queueMessage(store, conversation);
    const w = worker(provider, 'w1');
    // The provider takes the message, but the answer is lost (the time-out the adapter reports).
    provider.failNext(uncertain('timeout of 15000ms exceeded'));
    await w.drain();
    provider.accepted.set(`${job.id}#x`, 'P-late');
    clock.advance(1_000);
    await w.drain();
    expect(provider.asked.map((a) => a.id)).toEqual([job.id]);
    expect(provider.attempts).toHaveLength(1);
    expect((await store.listMessages(conversation.id))[0]).toMatchObject({ status: 'sent', providerId: 'P-late' });
  });

  it('but a failure the provider answered is retried without asking', async () => {
    const provider = new Lookup({ clock });
    const conversation = await conversationOn(store, 'fake');
    await queueMessage(store, conversation);
    const w = worker(provider, 'w1');
    provider.failNext(transient('503 Service Unavailable', null, 503));
    await w.drain();
    clock.advance(1_000);
    await w.drain();
    expect(provider.asked).toEqual([]);
    expect(provider.sent).toHaveLength(1);
  });

  it('is asked about again later when the look-up itself fails now, and flagged when it cannot be asked at all', async () => {
    const provider = new Lookup({ clock });
    const conversation = await conversationOn(store, 'fake');
    const { job } = await queueMessage(store, conversation);
    const w = worker(provider, 'w1');
    provider.failNext(uncertain('socket hang up'));
    provider.checkFailures.push(transient('list: 503'), permanent('missing_scope', 'missing_scope'));
    await w.drain();
    clock.advance(1_000);
    await w.drain(); // the look-up fails for now: nothing is sent, the attempt stays unconfirmed
    expect(provider.attempts).toHaveLength(1);
    clock.advance(1_000);
    await w.drain(); // it cannot be asked at all: sent again, and said so
    expect(provider.asked.map((a) => a.id)).toEqual([job.id, job.id]);
    expect(provider.sent).toHaveLength(1);
    expect(await notes(conversation.id)).toEqual([
      expect.stringContaining('the provider could not be asked: missing_scope'),
    ]);
  });
});
