import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import {
  type Clock,
  failsEveryTime,
  type HttpRequest,
  type HttpResponse,
  type Logger,
  type RouteRegistry,
  reasonOf,
} from '../../../src/channel/index.ts';
import { verifySlackRequest } from './verify.ts';

export interface RouteReceiverOptions {
  signingSecret: string;
  path: string;
  routes: RouteRegistry;
  clock: Clock;
  log: Logger;
  /** Keeps a signed request that cannot be read (ChannelHost.keepUnreadable); resolves once stored. */
  keepUnreadable: (reason: string, payload: Buffer) => Promise<void>;
  /** Slack wants an answer within 3 s: past this, we answer and let the work finish behind. */
  ackTimeoutMs?: number;
}

/** Event ids remembered for dedupe in this process; the effects dedupe durably on their own keys. */
const SEEN_LIMIT = 10_000;

/**
 * A Bolt receiver on our own HTTP server (one port for everything): verifies
 * Slack's signature over the raw bytes, answers `url_verification`, drops
 * redelivered `event_id`s, and hands the rest to Bolt. An event is answered
 * once its listeners finished (a customer message is stored before Slack hears
 * 200) or after `ackTimeoutMs`, whichever comes first. A listener failure
 * within that time answers 500, so Slack delivers the event again, unless it
 * comes from the payload itself (a redelivery would fail the same way): a
 * signed request we cannot read is kept (`keepUnreadable`) and answered 200.
 */
export class RouteReceiver implements Receiver {
  readonly #o: RouteReceiverOptions;
  #app: App | null = null;
  #registered = false;
  readonly #seen = new Set<string>();

  constructor(o: RouteReceiverOptions) {
    this.#o = o;
  }

  init(app: App): void {
    this.#app = app;
  }

  async start(): Promise<void> {
    if (this.#registered) return;
    this.#registered = true;
    this.#o.routes.add('POST', this.#o.path, (req) => this.#handle(req), { maxBodyBytes: 1024 * 1024 });
  }

  async stop(): Promise<void> {
    this.#app = null;
  }

  async #handle(req: HttpRequest): Promise<HttpResponse> {
    verifySlackRequest(this.#o.signingSecret, req.headers, req.rawBody, this.#o.clock.now());
    const parsed = parseBody(req);
    if (typeof parsed === 'string') return this.#keep(parsed, req);
    const body = parsed;
    if (body.type === 'url_verification') return { status: 200, body: { challenge: String(body.challenge ?? '') } };
    if (body.ssl_check) return { status: 200, body: '' };
    const app = this.#app;
    if (!app) return { status: 503, body: { error: 'the Slack adapter is stopping' } };

    const shape = shapeProblem(body);
    if (shape) return this.#keep(shape, req);
    const eventId = body.type === 'event_callback' && typeof body.event_id === 'string' ? body.event_id : null;
    if (eventId && this.#seen.has(eventId)) {
      this.#o.log.debug(
        { eventId, retry: req.headers['x-slack-retry-num'] },
        'Slack redelivered an event we have: acknowledged',
      );
      return { status: 200, body: '' };
    }
    if (eventId) this.#remember(eventId);

    let acked: { body: unknown } | null = null;
    let onAck: () => void = () => {};
    const ackedNow = new Promise<void>((resolve) => {
      onAck = resolve;
    });
    const retryNum = Number(req.headers['x-slack-retry-num'] ?? Number.NaN);
    const retryReason = req.headers['x-slack-retry-reason'];
    const event: ReceiverEvent = {
      body,
      ...(Number.isFinite(retryNum) ? { retryNum } : {}),
      ...(typeof retryReason === 'string' ? { retryReason } : {}),
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
    // An event is answered when its work is done; an interaction as soon as its listener acknowledges.
    const waitFor = eventId ? done : Promise.race([done, ackedNow]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#o.ackTimeoutMs ?? 2_500);
    });
    const first = await Promise.race([waitFor, timeout]);
    clearTimeout(timer);
    if (first !== 'timeout' && first && !first.ok) {
      if (failsEveryTime(first.err)) return this.#keep(reasonOf(first.err), req);
      this.#o.log.error({ err: first.err, eventId }, 'handling a Slack request failed');
      if (eventId) this.#seen.delete(eventId);
      return { status: 500, body: { error: 'the event could not be handled; Slack will deliver it again' } };
    }
    if (first === 'timeout') {
      void done.then(async (r) => {
        if (r.ok) return;
        if (failsEveryTime(r.err)) await this.#keep(reasonOf(r.err), req).catch(() => {});
        else this.#o.log.error({ err: r.err, eventId }, 'handling a Slack request failed after it was acknowledged');
      });
    }
    return ackResponse((acked as { body: unknown } | null)?.body);
  }

  /** Answered 200 once kept: Slack would only deliver it again, and it would fail the same way. */
  async #keep(reason: string, req: HttpRequest): Promise<HttpResponse> {
    await this.#o.keepUnreadable(reason, req.rawBody);
    return { status: 200, body: '' };
  }

  #remember(eventId: string): void {
    this.#seen.add(eventId);
    if (this.#seen.size > SEEN_LIMIT) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
  }
}

function ackResponse(body: unknown): HttpResponse {
  if (body === undefined || body === null || body === '') return { status: 200, body: '' };
  if (typeof body === 'string') return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
  return { status: 200, body };
}

/**
 * Events come as JSON; interactivity as a form with the JSON in `payload`;
 * slash commands as a plain form. A body that is none of these comes back as
 * the reason it cannot be read.
 */
function parseBody(req: HttpRequest): Record<string, unknown> | string {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  const text = req.rawBody.toString('utf8');
  try {
    if (type === 'application/json') return asObject(JSON.parse(text));
    if (type === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(text);
      const payload = form.get('payload');
      return payload !== null ? asObject(JSON.parse(payload)) : Object.fromEntries(form);
    }
  } catch (err) {
    return `the body is not valid ${type === 'application/json' ? 'JSON' : 'form data with a JSON payload'}: ${(err as Error).message}`;
  }
  return `unsupported content type ${type || '(none)'}: Slack sends JSON or form data`;
}

/** What Bolt needs to route a body and cannot do without. */
function shapeProblem(body: Record<string, unknown>): string | null {
  if (body.type !== 'event_callback') return null;
  const event = body.event;
  if (!event || typeof event !== 'object' || Array.isArray(event)) return 'an event_callback without an event object';
  if (typeof (event as { type?: unknown }).type !== 'string') return 'an event without a type';
  return null;
}

function asObject(v: unknown): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected an object');
  return v as Record<string, unknown>;
}
