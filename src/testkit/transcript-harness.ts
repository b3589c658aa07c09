import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { VirtualClock } from '../clock.ts';
import { normaliseIdentity } from '../contacts/identity-values.ts';
import { HttpError } from '../errors.ts';
import { routeBusinessEvent } from '../flow-language/business-events.ts';
import { readEngineState } from '../flow-language/flow-state.ts';
import { createFlowTimerHandlers, type FlowTimerHandlers } from '../flow-language/flow-timers.ts';
import type { Contact, Conversation, Envelope, IdentityRef, Message, Touchpoint } from '../model/types.ts';
import { createOutbound } from '../outbound/outbound.ts';
import { createIngestor, type Ingestor } from '../pipeline/ingest.ts';
import { createRouter, type Router } from '../pipeline/router.ts';
import type { Settings } from '../settings/types.ts';
import type { Store } from '../store/contract.ts';
import { newConversation } from '../store/new-conversation.ts';
import { openStore } from '../store/open.ts';
import { createTimerScheduler, type TimerScheduler } from '../timers/scheduler.ts';
import { engineRouteDeps, toThreadKey } from './engine-deps.ts';
import { type AgentStep, actAsAgent } from './transcript-agent.ts';
import { fakeFetch } from './transcript-fetch.ts';
import type { Transcript } from './transcript-schema.ts';

/**
 * A router of its own for one transcript: a SQLite store in a temporary
 * folder, the engine's hooks and flow timers, a virtual clock, and scripted
 * lookup answers. Sent messages are marked delivered at once, as a channel would.
 */

const IDENTITY: Record<string, IdentityRef> = {
  email: { kind: 'email', value: 'customer@example.test', verified: true },
  sms: { kind: 'phone', value: '+447700900123', verified: true },
  whatsapp: { kind: 'whatsapp', value: '+447700900123', verified: true },
};
const identityOn = (channel: string): IdentityRef =>
  IDENTITY[channel] ?? { kind: channel, value: `${channel}-visitor` };

const MAX_ROUNDS = 100;
const STEP_MS = 1_000;

interface Parts {
  store: Store;
  router: Router;
  ingestor: Ingestor;
  timers: TimerScheduler;
  flows: FlowTimerHandlers;
}

export class TranscriptHarness {
  readonly clock: VirtualClock;
  readonly touchpoint: Touchpoint;
  readonly identity: IdentityRef;
  readonly threadKey: string;
  /** Event types raised since the last `takeEvents`. */
  #events: string[] = [];
  /** Problems the router or the timers logged: a transcript fails on them. */
  readonly problems: string[] = [];
  /** Every flow seen running or ended in this transcript. */
  readonly flowsSeen = new Set<string>();
  readonly #settings: Settings;
  readonly #t: Transcript;
  readonly #dir: string;
  readonly #fake: ReturnType<typeof fakeFetch>;
  #parts: Parts | null = null;
  #seq = 0;

  private constructor(settings: Settings, t: Transcript, dir: string) {
    this.#settings = settings;
    this.#t = t;
    this.#dir = dir;
    this.clock = new VirtualClock(Date.parse(t.start));
    const channel = t.touchpoint.channel;
    this.touchpoint = { channel, kind: t.touchpoint.kind ?? channel, visibility: t.touchpoint.visibility };
    this.identity = identityOn(channel);
    this.threadKey = `${channel}:transcript`;
    this.#fake = fakeFetch(t.lookups);
  }

  static async open(settings: Settings, t: Transcript): Promise<TranscriptHarness> {
    const h = new TranscriptHarness(settings, t, await mkdtemp(join(tmpdir(), 'tp-transcript-')));
    await h.#start();
    await h.#createContact();
    return h;
  }

  get store(): Store {
    if (!this.#parts) throw new Error('the transcript harness is closed');
    return this.#parts.store;
  }

  async #start(): Promise<void> {
    const log = pino({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => this.#logged(chunk, done) }));
    const store = await openStore({ dataDir: this.#dir, synchronous: 'normal', log });
    const clock = this.clock;
    const settings = this.#settings;
    const deps = engineRouteDeps(settings);
    const onEvents = (events: Array<{ type: string }>) => this.#events.push(...events.map((e) => e.type));
    const router = createRouter({
      store,
      clock,
      log,
      owner: 'transcript:router',
      leaseMs: 30_000,
      batchSize: 50,
      workers: 1,
      maxAttempts: 1,
      batchTransactions: false,
      deps,
      onRouted: (routed) => {
        for (const r of routed) onEvents(r.events);
      },
    });
    const ingestor = createIngestor({ store, clock, log, onStored: () => {} });
    const flows = createFlowTimerHandlers({
      store,
      settings,
      clock,
      log,
      outbound: deps.outbound,
      fetch: this.#fake.fetch,
      onWritten: (w) => onEvents(w.events),
    });
    const timers = createTimerScheduler({
      store,
      clock,
      log,
      owner: 'transcript:timers',
      leaseMs: 60_000,
      handlers: flows.handlers,
      maxAttempts: 1,
    });
    this.#parts = { store, router, ingestor, timers, flows };
  }

  #logged(chunk: Buffer, done: () => void): void {
    try {
      const line = JSON.parse(chunk.toString()) as { msg?: string; part?: string; err?: { message?: string } };
      if (line.part !== 'lookups')
        this.problems.push(`${line.msg ?? 'problem'}${line.err?.message ? `: ${line.err.message}` : ''}`);
    } catch {
      this.problems.push(chunk.toString().trim());
    }
    done();
  }

  /** The contact exists before the script, with the conversations it has on file. */
  async #createContact(): Promise<void> {
    const c = this.#t.contact;
    const now = this.clock.now();
    await this.store.transaction(async (tx) => {
      const contact = await tx.createContact(
        { name: c.name, language: c.language, timezone: c.timezone, vip: c.vip, attributes: c.attributes },
        this.identity,
        now,
      );
      for (const [kind, value] of [
        ['email', c.email],
        ['phone', c.phone],
      ] as const) {
        if (value) await tx.addIdentity(contact.id, normaliseIdentity({ kind, value }) ?? { kind, value });
      }
      for (const channel of c.onFile) {
        await tx.createConversation(
          newConversation(contact.id, { channel, kind: channel, visibility: 'private' }, `${channel}:on-file`, {
            status: 'resolved',
          }),
          now,
        );
      }
    });
  }

  /** The customer writes `text`; `{code}` stands for the last one-time code sent to them elsewhere. */
  async say(text: string): Promise<void> {
    const code = text.includes('{code}') ? await this.#lastCode() : null;
    const envelope: Envelope = {
      channel: this.touchpoint.channel,
      providerId: `transcript-${++this.#seq}`,
      touchpoint: this.touchpoint,
      threadKey: this.threadKey,
      from: { ...this.identity, name: this.#t.contact.name },
      text: code === null ? text : text.replaceAll('{code}', code),
    };
    await this.#need().ingestor.ingest(envelope);
    await this.settle();
  }

  async #lastCode(): Promise<string> {
    const elsewhere = (await this.sent()).filter((s) => s.conversation.threadKey !== this.threadKey);
    for (const { message } of elsewhere.reverse()) {
      const m = /\b\d{6}\b/.exec(message.text);
      if (m) return m[0];
    }
    return 'no-code-was-sent';
  }

  /** A business event, as POST /api/events delivers it. Returns the error code when it is refused. */
  async businessEvent(
    type: string,
    data: Record<string, unknown>,
    id: string | undefined,
    named: { email?: string | undefined; phone?: string | undefined } = {},
  ): Promise<string | null> {
    const given = [
      ...(named.email ? [{ kind: 'email', value: named.email }] : []),
      ...(named.phone ? [{ kind: 'phone', value: named.phone }] : []),
    ];
    const event = {
      type,
      data,
      identities: given.length > 0 ? given.map((i) => normaliseIdentity(i) ?? i) : [this.identity],
      ...(id !== undefined ? { id } : {}),
    };
    const deps = {
      settings: this.#settings,
      now: this.clock.now(),
      outbound: createOutbound({ destinationOf: toThreadKey }),
    };
    try {
      const { written } = await this.store.transaction((tx) => routeBusinessEvent(tx, event, deps));
      if (written) this.#events.push(...written.events.map((e) => e.type));
    } catch (err) {
      if (err instanceof HttpError) return err.code;
      throw err;
    }
    await this.settle();
    return null;
  }

  /** A person acts in the transcript's conversation (see transcript-agent.ts). */
  async agent(step: AgentStep): Promise<string | null> {
    const conv = await this.conversation();
    if (!conv) return 'there is no conversation for the agent to act in yet';
    await actAsAgent(this.store, this.clock, this.#settings, conv.id, step);
    await this.settle();
    return null;
  }

  /** Moves the clock to `target`, stopping at every instant a timer or a lookup's timeout falls due. */
  async advanceTo(target: number): Promise<void> {
    for (let i = 0; i < 10_000 && this.clock.now() < target; i++) {
      const now = this.clock.now();
      let next = (await this.store.nextDueAt()) ?? Number.POSITIVE_INFINITY;
      if (next <= now) {
        this.problems.push(`something due at ${new Date(next).toISOString()} was never handled`);
        next = target;
      }
      // a request is waiting for its timeout, which only the clock knows: go in small steps
      const step = this.#fake.hanging() > 0 ? now + STEP_MS : Number.POSITIVE_INFINITY;
      this.clock.set(Math.min(target, next, step));
      await this.settle();
    }
  }

  /** Routes, fires and records until nothing more happens at this instant. */
  async settle(): Promise<void> {
    const p = this.#need();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      await p.ingestor.flush();
      await p.router.drain();
      let fired = 0;
      for (let i = 0; i < MAX_ROUNDS; i++) {
        const n = await p.timers.tick();
        if (n === 0) break;
        fired += n;
      }
      // let settled lookups reach their write, then wait for it
      await new Promise((resolve) => setImmediate(resolve));
      const written = await p.flows.idle();
      await this.#deliver();
      await this.#noteFlows();
      if (fired === 0 && written === 0) return;
    }
    this.problems.push(`the flows were still busy after ${MAX_ROUNDS} rounds at one instant (a loop?)`);
  }

  /** Marks queued messages sent, as the channel would, so only timers are left due. */
  async #deliver(): Promise<void> {
    const now = this.clock.now();
    for (let i = 0; i < MAX_ROUNDS; i++) {
      const jobs = await this.store.claimOutbox({ owner: 'transcript:outbox', now, leaseMs: 60_000, limit: 100 });
      if (jobs.length === 0) return;
      for (const job of jobs) await this.store.markSent(job.id, `sent-${job.id}`, 'sent', now);
    }
  }

  async #noteFlows(): Promise<void> {
    for (const c of await this.store.listConversations({ limit: 100 })) {
      const s = readEngineState(c.flowState);
      for (const r of s.runs) this.flowsSeen.add(r.flow);
      for (const h of s.history) this.flowsSeen.add(h.flow);
    }
  }

  async restart(): Promise<void> {
    await this.#stop();
    await this.#start();
    await this.settle();
  }

  takeEvents(): string[] {
    const out = this.#events;
    this.#events = [];
    return out;
  }

  async conversation(): Promise<Conversation | null> {
    const all = await this.store.listConversations({ limit: 100 });
    return all.find((c) => c.threadKey === this.threadKey) ?? null;
  }

  async contact(): Promise<Contact | null> {
    return this.store.transaction((tx) => tx.findContactByIdentity(this.identity));
  }

  /** Outbound messages of every conversation, internal notes included, oldest first. */
  async sent(): Promise<Array<{ conversation: Conversation; message: Message }>> {
    const out: Array<{ conversation: Conversation; message: Message }> = [];
    for (const conversation of await this.store.listConversations({ limit: 100 })) {
      for (const message of await this.store.listMessages(conversation.id, { limit: 1000, includeInternal: true })) {
        if (message.direction === 'outbound') out.push({ conversation, message });
      }
    }
    return out;
  }

  #need(): Parts {
    if (!this.#parts) throw new Error('the transcript harness is closed');
    return this.#parts;
  }

  async #stop(): Promise<void> {
    const p = this.#parts;
    if (!p) return;
    this.#parts = null;
    await p.router.stop();
    await p.timers.stop();
    await p.flows.stop();
    await p.store.close();
  }

  async close(): Promise<void> {
    await this.#stop();
    await rm(this.#dir, { recursive: true, force: true });
  }
}
