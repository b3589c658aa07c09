import type { ChannelAdapter, ChannelCapabilities, RateLimit, SendResult } from '../../src/channel/contract.ts';
import type { Clock } from '../../src/clock.ts';
import type { OutboundMessage } from '../../src/model/types.ts';

/** One call of `send`, with the clock's time when it was made (and the real time, for pacing). */
export interface FakeAttempt {
  at: number;
  realAt: number;
  message: OutboundMessage;
  outcome: 'sent' | 'failed';
  error?: unknown;
}

type Step = { fail: unknown } | { block: Promise<void>; started: (m: OutboundMessage) => void };

/**
 * An in-memory channel for outbox tests: records every send with the time it
 * happened, and can be scripted to fail or to hang the next sends.
 * Unscripted sends succeed with provider ids `fake-1`, `fake-2` …
 */
export class FakeAdapter implements ChannelAdapter {
  readonly channel: string;
  readonly capabilities: ChannelCapabilities;
  readonly rateLimit: RateLimit;
  readonly attempts: FakeAttempt[] = [];
  readonly #clock: Clock;
  readonly #steps: Step[] = [];
  #waiters: Array<{ n: number; resolve: () => void }> = [];
  #ids = 0;

  constructor(opts: { clock: Clock; channel?: string; rateLimit?: RateLimit; references?: boolean }) {
    this.capabilities = {
      threads: true,
      privateReply: false,
      attachments: false,
      richParts: false,
      maxTextLength: null,
      idempotentSend: false,
      references: opts.references ?? true,
    };
    this.#clock = opts.clock;
    this.channel = opts.channel ?? 'fake';
    this.rateLimit = opts.rateLimit ?? { minTimeMs: 0, maxConcurrent: 1 };
  }

  /** Messages delivered successfully, in order. */
  get sent(): OutboundMessage[] {
    return this.attempts.filter((a) => a.outcome === 'sent').map((a) => a.message);
  }

  /** The next sends throw these, in order. */
  failNext(...errors: unknown[]): void {
    for (const fail of errors) this.#steps.push({ fail });
  }

  /** The next send hangs until `release()`; `started` resolves (with the message) when it is called. */
  blockNext(): { started: Promise<OutboundMessage>; release: () => void } {
    let release = () => {};
    let markStarted = (_m: OutboundMessage) => {};
    const block = new Promise<void>((r) => {
      release = r;
    });
    const started = new Promise<OutboundMessage>((r) => {
      markStarted = r;
    });
    this.#steps.push({ block, started: markStarted });
    return { started, release };
  }

  /** Resolves once `n` sends have been attempted in total. */
  waitForAttempts(n: number): Promise<void> {
    if (this.attempts.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  destination(threadKey: string): string {
    return threadKey;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const at = this.#clock.now();
    const realAt = performance.now();
    const step = this.#steps.shift();
    if (step && 'block' in step) {
      step.started(message);
      await step.block;
    }
    if (step && 'fail' in step) {
      this.#record({ at, realAt, message, outcome: 'failed', error: step.fail });
      throw step.fail;
    }
    this.#record({ at, realAt, message, outcome: 'sent' });
    this.#ids += 1;
    return { providerId: `fake-${this.#ids}`, status: 'sent' };
  }

  #record(a: FakeAttempt): void {
    this.attempts.push(a);
    const ready = this.#waiters.filter((w) => this.attempts.length >= w.n);
    this.#waiters = this.#waiters.filter((w) => this.attempts.length < w.n);
    for (const w of ready) w.resolve();
  }
}
