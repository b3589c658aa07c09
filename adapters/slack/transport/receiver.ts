import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import {
  badRequest,
  type HttpRequest,
  type HttpResponse,
  type Logger,
  type RouteRegistry,
  systemClock,
} from '../../../src/channel/index.ts';
import { verifySlackRequest } from './verify.ts';

export interface RouteReceiverOptions {
  signingSecret: string;
  path: string;
  routes: RouteRegistry;
  log: Logger;
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
 * 200) or after `ackTimeoutMs`, whichever comes first; a listener failure
 * within that time answers 500, so Slack delivers the event again.
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
    // Slack signs with real time: a test clock must never make its events look stale.
    verifySlackRequest(this.#o.signingSecret, req.headers, req.rawBody, systemClock.now());
    const body = parseBody(req);
    if (body.type === 'url_verification') return { status: 200, body: { challenge: String(body.challenge ?? '') } };
    if (body.ssl_check) return { status: 200, body: '' };
    const app = this.#app;
    if (!app) return { status: 503, body: { error: 'the Slack adapter is stopping' } };

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
    const done = app.processEvent(event).then(
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
      this.#o.log.error({ err: first.err, eventId }, 'handling a Slack request failed');
      if (eventId) this.#seen.delete(eventId);
      return { status: 500, body: { error: 'the event could not be handled; Slack will deliver it again' } };
    }
    if (first === 'timeout') {
      void done.then((r) => {
        if (!r.ok)
          this.#o.log.error({ err: r.err, eventId }, 'handling a Slack request failed after it was acknowledged');
      });
    }
    return ackResponse((acked as { body: unknown } | null)?.body);
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

/** Events come as JSON; interactivity as a form with the JSON in `payload`; slash commands as a plain form. */
function parseBody(req: HttpRequest): Record<string, unknown> {
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
    throw badRequest(
      `the body is not valid ${type === 'application/json' ? 'JSON' : 'form data with a JSON payload'}: ${(err as Error).message}`,
    );
  }
  throw badRequest(`unsupported content type ${type || '(none)'}: Slack sends JSON or form data`);
}

function asObject(v: unknown): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected an object');
  return v as Record<string, unknown>;
}
