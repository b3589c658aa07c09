import type { App, Receiver } from '@slack/bolt';
import {
  failsEveryTime,
  type HttpRequest,
  type HttpResponse,
  type Logger,
  type RouteRegistry,
  reasonOf,
  systemClock,
} from '../../../src/channel/index.ts';
import { dispatch, eventIdOf, RecentEvents } from './dispatch.ts';
import { verifySlackRequest } from './verify.ts';

export interface RouteReceiverOptions {
  signingSecret: string;
  path: string;
  routes: RouteRegistry;
  log: Logger;
  /** Keeps a signed request that cannot be read (ChannelHost.keepUnreadable); resolves once stored. */
  keepUnreadable: (reason: string, payload: Buffer) => Promise<void>;
  /** Slack wants an answer within 3 s: past this, we answer and let the work finish behind. */
  ackTimeoutMs?: number;
}

/**
 * Room for Slack's longest event: 40,000 characters of text, up to 4 bytes each, again in its
 * rich-text blocks, and the rest of the event. A larger body is not from Slack: it is refused
 * with 413 as its size is known, before it is read, verified or parsed.
 */
const MAX_BODY = 512 * 1024;

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
  readonly #seen = new RecentEvents();

  constructor(o: RouteReceiverOptions) {
    this.#o = o;
  }

  init(app: App): void {
    this.#app = app;
  }

  async start(): Promise<void> {
    if (this.#registered) return;
    this.#registered = true;
    this.#o.routes.add('POST', this.#o.path, (req) => this.#handle(req), { maxBodyBytes: MAX_BODY });
  }

  async stop(): Promise<void> {
    this.#app = null;
  }

  async #handle(req: HttpRequest): Promise<HttpResponse> {
    // Slack signs with real time: a test clock must never make its events look stale.
    verifySlackRequest(this.#o.signingSecret, req.headers, req.rawBody, systemClock.now());
    const parsed = parseBody(req);
    if (typeof parsed === 'string') return this.#keep(parsed, req);
    const body = parsed;
    if (body.type === 'url_verification') return { status: 200, body: { challenge: String(body.challenge ?? '') } };
    if (body.ssl_check) return { status: 200, body: '' };
    const app = this.#app;
    if (!app) return { status: 503, body: { error: 'the Slack adapter is stopping' } };

    const shape = shapeProblem(body);
    if (shape) return this.#keep(shape, req);
    const eventId = eventIdOf(body);
    if (eventId && this.#seen.has(eventId)) {
      this.#o.log.debug(
        { eventId, retry: req.headers['x-slack-retry-num'] },
        'Slack redelivered an event we have: acknowledged',
      );
      return { status: 200, body: '' };
    }
    if (eventId) this.#seen.add(eventId);

    const retryNum = Number(req.headers['x-slack-retry-num'] ?? Number.NaN);
    const retryReason = req.headers['x-slack-retry-reason'];
    const outcome = await dispatch(
      app,
      {
        body,
        ...(Number.isFinite(retryNum) ? { retryNum } : {}),
        ...(typeof retryReason === 'string' ? { retryReason } : {}),
      },
      {
        eventId,
        ackTimeoutMs: this.#o.ackTimeoutMs ?? 2_500,
        log: this.#o.log,
        onLateFailure: (err) => {
          if (failsEveryTime(err)) return this.#keep(reasonOf(err), req).then(() => {});
          this.#o.log.error({ err, eventId }, 'handling a Slack request failed after it was acknowledged');
        },
      },
    );
    if (!outcome.ok) {
      if (failsEveryTime(outcome.err)) return this.#keep(reasonOf(outcome.err), req);
      this.#o.log.error({ err: outcome.err, eventId }, 'handling a Slack request failed');
      if (eventId) this.#seen.forget(eventId);
      return { status: 500, body: { error: 'the event could not be handled; Slack will deliver it again' } };
    }
    return ackResponse(outcome.body);
  }

  /** Answered 200 once kept: Slack would only deliver it again, and it would fail the same way. */
  async #keep(reason: string, req: HttpRequest): Promise<HttpResponse> {
    await this.#o.keepUnreadable(reason, req.rawBody);
    return { status: 200, body: '' };
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
