import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Bot Connector service (the `serviceUrl` of Teams, Web Chat, the
 * Emulator): records the activities a bot posts to
 * `/v3/conversations/{id}/activities[/{replyToId}]` and answers with a
 * resource id, or with a scripted error status. Given `acceptToken` (a bot
 * with an app id), every request must carry a bearer token it accepts, as the
 * real connector requires; checked before anything else.
 */
export interface ReceivedActivity {
  conversationId: string;
  replyToId: string | null;
  authorization: string | null;
  activity: Record<string, unknown>;
  at: number;
}

const PATH = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/;
/** The connector's attachment store: `GET /v3/attachments/{id}/views/original`, behind the same token check. */
const ATTACHMENT = /^\/v3\/attachments\/([^/]+)\/views\/original$/;

export class FakeBotService {
  readonly received: ReceivedActivity[] = [];
  /** Requests refused for a missing or unacceptable token. */
  refused = 0;
  onActivity: ((a: ReceivedActivity) => void) | null = null;
  readonly #script: { status: number; retryAfter?: string }[] = [];
  readonly #attachments = new Map<string, { bytes: Buffer; contentType: string }>();
  /** Authorization headers of attachment downloads. */
  readonly attachmentRequests: Array<string | null> = [];
  #waiters: (() => boolean)[] = [];
  readonly #server: Server;
  #url = '';
  #seq = 0;

  readonly #acceptToken: ((authorization: string | null) => boolean) | null;

  private constructor(acceptToken: ((authorization: string | null) => boolean) | null) {
    this.#acceptToken = acceptToken;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) =>
        reply(res, 500, { error: { code: 'ServiceError', message: String(err) } }),
      );
    });
  }

  static async start(o: { acceptToken?: (authorization: string | null) => boolean } = {}): Promise<FakeBotService> {
    const fake = new FakeBotService(o.acceptToken ?? null);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The serviceUrl to put in activities. */
  get url(): string {
    return this.#url;
  }

  /** A file a person attached, kept by the connector; returns its `contentUrl`. */
  addAttachment(bytes: Buffer, contentType: string): string {
    const id = `att-${this.#attachments.size + 1}`;
    this.#attachments.set(id, { bytes, contentType });
    return `${this.#url}/v3/attachments/${id}/views/original`;
  }

  script(...answers: { status: number; retryAfter?: string }[]): void {
    this.#script.push(...answers);
  }

  /** Resolves once `count` activities have arrived; rejects after `ms`. */
  waitFor(count: number, ms = 5000): Promise<ReceivedActivity[]> {
    if (this.received.length >= count) return Promise.resolve(this.received);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.received.length} of ${count} activities arrived`)),
        ms,
      );
      this.#waiters.push(() => {
        if (this.received.length < count) return false;
        clearTimeout(timer);
        resolve(this.received);
        return true;
      });
    });
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = new URL(req.url ?? '/', this.#url).pathname;
    const file = ATTACHMENT.exec(path);
    if (file) this.attachmentRequests.push(req.headers.authorization ?? null);
    if (this.#acceptToken && !this.#acceptToken(req.headers.authorization ?? null)) {
      this.refused += 1;
      return reply(res, 401, { message: 'Authorization has been denied for this request.' });
    }
    if (file && req.method === 'GET') {
      const found = this.#attachments.get(file[1] ?? '');
      if (!found) return reply(res, 404, { error: { code: 'NotFound', message: 'no such attachment' } });
      res.writeHead(200, { 'content-type': found.contentType, 'content-length': found.bytes.length });
      return void res.end(found.bytes);
    }
    const match = PATH.exec(path);
    if (req.method !== 'POST' || !match) return reply(res, 404, { error: { code: 'NotFound', message: req.url } });
    const scripted = this.#script.shift();
    if (scripted) {
      if (scripted.retryAfter) res.setHeader('retry-after', scripted.retryAfter);
      return reply(res, scripted.status, { error: { code: 'Scripted', message: `scripted ${scripted.status}` } });
    }
    const [, conversationId, replyToId] = match;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const refused = suggestedActionsProblem(body.suggestedActions) ?? attachmentsProblem(body.attachments);
    if (refused) return reply(res, 400, { error: { code: 'BadArgument', message: refused } });
    const got: ReceivedActivity = {
      conversationId: decodeURIComponent(conversationId as string),
      replyToId: replyToId ? decodeURIComponent(replyToId) : null,
      authorization: req.headers.authorization ?? null,
      activity: body,
      at: performance.now(),
    };
    this.received.push(got);
    this.onActivity?.(got);
    this.#waiters = this.#waiters.filter((settled) => !settled());
    reply(res, 200, { id: `act-${++this.#seq}` });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const CARD_ACTION_TYPES = new Set(['imBack', 'messageBack', 'postBack', 'openUrl', 'call']);

/** What the connector refuses in `suggestedActions`: no actions, an unknown type, an action without a title or value. */
function suggestedActionsProblem(s: unknown): string | null {
  if (s === undefined) return null;
  const actions = (s as { actions?: unknown } | null)?.actions;
  if (!Array.isArray(actions) || actions.length === 0) return 'suggestedActions.actions must be a non-empty array';
  for (const a of actions as Array<Record<string, unknown>>) {
    if (typeof a.type !== 'string' || !CARD_ACTION_TYPES.has(a.type)) return `unknown card action type ${a.type}`;
    if (typeof a.title !== 'string' || a.title === '') return 'a suggested action needs a title';
    if (a.value === undefined || a.value === null || a.value === '') return 'a suggested action needs a value';
  }
  return null;
}

/**
 * What the connector refuses in `attachments`: not an array, an attachment without a
 * `contentType`, or with neither `content` nor a `contentUrl` that is an absolute http(s) or
 * data URL, or a `name` that is not a string.
 */
function attachmentsProblem(list: unknown): string | null {
  if (list === undefined) return null;
  if (!Array.isArray(list)) return 'attachments must be an array';
  for (const a of list as Array<Record<string, unknown>>) {
    if (typeof a.contentType !== 'string' || a.contentType === '') return 'an attachment needs a contentType';
    if (a.name !== undefined && typeof a.name !== 'string') return 'an attachment name must be a string';
    if (a.content !== undefined) continue;
    if (typeof a.contentUrl !== 'string') return 'an attachment needs content or a contentUrl';
    let url: URL;
    try {
      url = new URL(a.contentUrl);
    } catch {
      return `contentUrl ${a.contentUrl} is not an absolute URL`;
    }
    if (!['http:', 'https:', 'data:'].includes(url.protocol)) return `contentUrl scheme ${url.protocol} is not allowed`;
  }
  return null;
}
