import type { App, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../../src/channel/index.ts';

/** What to tell Slack about one request: acknowledge it (with Bolt's response body), or not, so Slack sends it again. */
export type Dispatched = { ok: true; body: unknown } | { ok: false; err: unknown };

/**
 * Runs one Slack request through Bolt and decides when to acknowledge it,
 * whatever the transport (Events API over HTTP, Socket Mode). An event is
 * acknowledged once its listeners finished, so a customer message is stored
 * before Slack hears back (Bolt itself acknowledges events before running
 * them); an interaction as soon as its listener acknowledges. Either way after
 * `ackTimeoutMs` at the latest (Slack gives up at 3 s), the work finishing
 * behind. A failure within that time is not acknowledged.
 */
export async function dispatch(
  app: App,
  request: Pick<ReceiverEvent, 'body' | 'retryNum' | 'retryReason'>,
  o: {
    eventId: string | null;
    ackTimeoutMs: number;
    log: Logger;
    /** A failure after the acknowledgement (logged when absent). */
    onLateFailure?: (err: unknown) => void | Promise<void>;
  },
): Promise<Dispatched> {
  let acked: { body: unknown } | null = null;
  let onAck: () => void = () => {};
  const ackedNow = new Promise<void>((resolve) => {
    onAck = resolve;
  });
  const event: ReceiverEvent = {
    body: request.body,
    ...(request.retryNum !== undefined ? { retryNum: request.retryNum } : {}),
    ...(request.retryReason !== undefined ? { retryReason: request.retryReason } : {}),
    ack: async (response?: unknown) => {
      acked ??= { body: response };
      onAck();
    },
  };
  // Bolt can also throw before it calls a listener (a field of the wrong type): that counts as the listener failing.
  const done = Promise.resolve()
    .then(() => app.processEvent(event))
    .then(
      () => ({ ok: true as const }),
      (err: unknown) => ({ ok: false as const, err }),
    );
  const waitFor = o.eventId ? done : Promise.race([done, ackedNow]);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), o.ackTimeoutMs);
  });
  const first = await Promise.race([waitFor, timeout]);
  clearTimeout(timer);
  if (first !== 'timeout' && first && !first.ok) return { ok: false, err: first.err };
  if (first === 'timeout') {
    void done.then(async (r) => {
      if (r.ok) return;
      if (o.onLateFailure) await Promise.resolve(o.onLateFailure(r.err)).catch(() => {});
      else o.log.error({ err: r.err, eventId: o.eventId }, 'handling a Slack request failed after it was acknowledged');
    });
  }
  return { ok: true, body: (acked as { body: unknown } | null)?.body };
}

/** Event ids remembered for dedupe in this process; the effects dedupe durably on their own keys. */
const SEEN_LIMIT = 10_000;

/** The `event_id`s handled (or being handled) lately, so a redelivery is acknowledged without running again. */
export class RecentEvents {
  readonly #seen = new Set<string>();

  has(eventId: string): boolean {
    return this.#seen.has(eventId);
  }

  add(eventId: string): void {
    this.#seen.add(eventId);
    if (this.#seen.size > SEEN_LIMIT) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
  }

  /** A failed event: its redelivery must run. */
  forget(eventId: string): void {
    this.#seen.delete(eventId);
  }
}

/** The `event_id` of an Events API callback, which Slack keeps across redeliveries. */
export function eventIdOf(body: Record<string, unknown>): string | null {
  return body.type === 'event_callback' && typeof body.event_id === 'string' ? body.event_id : null;
}
