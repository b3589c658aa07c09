import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of Slack's Web API for @slack/web-api pointed at it with
 * `slackApiUrl`: form-encoded or JSON calls with a Bearer token, answers in
 * Slack's shape (`ok`, `error`), `ts` values like Slack's (unix seconds and a
 * 6-digit sequence). `chat.postMessage` is limited per channel like Slack's
 * (one per `intervalMs`): faster posts get 429 with Retry-After in seconds.
 * `conversations.history` (a channel, newest first) and `conversations.replies`
 * (a thread, its parent first) list what was posted, after `oldest`, paged with
 * `limit` and `cursor`; message metadata comes back only with `include_all_metadata`.
 */
export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
}

export interface SlackPost {
  channel: string;
  ts: string;
  text: string;
  threadTs: string | null;
  blocks: unknown[] | null;
  metadata: { event_type: string; event_payload: Record<string, unknown> } | null;
}

export interface FakeSlackOptions {
  token: string;
  /** Minimum time between two posts in one channel (Slack: about 1 s). */
  intervalMs?: number;
  bot?: { userId: string; botId: string; teamId: string };
}

export class FakeSlackApi {
  readonly calls: SlackCall[] = [];
  readonly posts: SlackPost[] = [];
  /** Posts refused with 429. */
  rateLimited = 0;
  readonly #events = new EventEmitter();
  readonly #lastPost = new Map<string, number>();
  readonly #failures = new Map<string, string[]>();
  readonly #server: Server;
  readonly #o: Required<FakeSlackOptions>;
  #seq = 0;
  #url = '';

  private constructor(o: FakeSlackOptions) {
    this.#o = { intervalMs: 1_000, bot: { userId: 'UBOT0001', botId: 'BBOT0001', teamId: 'T0000001' }, ...o };
    this.#events.setMaxListeners(0);
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => reply(res, 500, { ok: false, error: String(err) }));
    });
  }

  static async start(o: FakeSlackOptions): Promise<FakeSlackApi> {
    const fake = new FakeSlackApi(o);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}/api/`;
    return fake;
  }

  /** The `slackApiUrl` to give the client. */
  get apiUrl(): string {
    return this.#url;
  }

  get bot() {
    return this.#o.bot;
  }

  /** The next posts to `channel` fail with these Slack error codes, one each (`internal_error` is transient). */
  failNext(channel: string, ...errors: string[]): void {
    this.#failures.set(channel, [...(this.#failures.get(channel) ?? []), ...errors]);
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves once `check` holds over the recorded calls (checked on every call), or rejects after `timeoutMs`. */
  until<T>(check: () => T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
    const now = check();
    if (now) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const onCall = () => {
        const v = check();
        if (!v) return;
        clearTimeout(timer);
        this.#events.off('call', onCall);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.#events.off('call', onCall);
        reject(new Error(`fake Slack: condition not met within ${timeoutMs} ms (${this.calls.length} calls)`));
      }, timeoutMs);
      this.#events.on('call', onCall);
    });
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #ts(): string {
    this.#seq += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.#seq).padStart(6, '0')}`;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = /^\/api\/([a-zA-Z.]+)$/.exec(req.url?.split('?')[0] ?? '')?.[1];
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const params = parseParams(String(req.headers['content-type'] ?? ''), raw);
    if (!method) return reply(res, 404, { ok: false, error: 'unknown_method' });
    if (req.headers.authorization !== `Bearer ${this.#o.token}`)
      return reply(res, 200, { ok: false, error: 'invalid_auth' });
    const at = Date.now();
    const answer = this.#answer(method, params, at);
    if (answer.status !== 429) this.calls.push({ method, params, at });
    reply(res, answer.status, answer.body, answer.headers);
    this.#events.emit('call');
  }

  #answer(
    method: string,
    p: Record<string, unknown>,
    at: number,
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    const ok = (body: Record<string, unknown> = {}) => ({ status: 200, body: { ok: true, ...body } });
    const fail = (error: string) => ({ status: 200, body: { ok: false, error } });
    const b = this.#o.bot;
    switch (method) {
      case 'auth.test':
        return ok({
          url: 'https://fake.slack.test/',
          team: 'Fake',
          user: 'touchpoint',
          team_id: b.teamId,
          user_id: b.userId,
          bot_id: b.botId,
        });
      case 'chat.postMessage': {
        const channel = String(p.channel ?? '');
        if (!channel) return fail('channel_not_found');
        if (!p.text && !p.blocks) return fail('no_text');
        const last = this.#lastPost.get(channel);
        if (last !== undefined && at - last < this.#o.intervalMs) {
          this.rateLimited += 1;
          const wait = Math.max(1, Math.ceil((this.#o.intervalMs - (at - last)) / 1000));
          return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(wait) } };
        }
        this.#lastPost.set(channel, at);
        const failure = this.#failures.get(channel)?.shift();
        if (failure) return fail(failure);
        const ts = this.#ts();
        const metadata = parseMetadata(p.metadata);
        if (metadata === 'invalid') return fail('invalid_metadata_format');
        const post: SlackPost = {
          channel,
          ts,
          text: String(p.text ?? ''),
          threadTs: p.thread_ts ? String(p.thread_ts) : null,
          blocks: parseBlocks(p.blocks),
          metadata,
        };
        this.posts.push(post);
        return ok({ channel, ts, message: { type: 'message', text: post.text, ts, bot_id: b.botId, user: b.userId } });
      }
      case 'chat.update':
        if (!p.channel || !p.ts) return fail('message_not_found');
        return ok({ channel: p.channel, ts: p.ts, text: p.text ?? '' });
      case 'chat.postEphemeral':
        return p.channel && p.user ? ok({ message_ts: this.#ts() }) : fail('channel_not_found');
      case 'views.open':
        return p.trigger_id ? ok({ view: { id: `V${this.#seq}` } }) : fail('invalid_trigger_id');
      case 'conversations.open':
        return p.users ? ok({ channel: { id: `D${String(p.users).slice(1)}` } }) : fail('user_not_found');
      case 'conversations.history':
      case 'conversations.replies': {
        const channel = String(p.channel ?? '');
        if (!channel) return fail('channel_not_found');
        const thread = method === 'conversations.replies' ? String(p.ts ?? '') : null;
        if (thread === '') return fail('thread_not_found');
        const limit = Math.min(1000, Number(p.limit ?? 100));
        const offset = p.cursor ? Number(Buffer.from(String(p.cursor), 'base64').toString('utf8').split(':')[1]) : 0;
        if (!(limit >= 1) || !Number.isInteger(offset) || offset < 0) return fail('invalid_cursor');
        const oldest = Number(p.oldest ?? 0);
        const withMetadata = p.include_all_metadata === true || p.include_all_metadata === 'true';
        const all = this.posts
          .filter((x) => x.channel === channel)
          .filter((x) => (thread === null ? x.threadTs === null : x.ts === thread || x.threadTs === thread))
          .filter((x) => Number(x.ts) > oldest);
        if (thread === null) all.reverse();
        const page = all.slice(offset, offset + limit);
        const more = offset + limit < all.length;
        return ok({
          messages: page.map((x) => ({
            type: 'message',
            ts: x.ts,
            text: x.text,
            user: b.userId,
            bot_id: b.botId,
            ...(x.threadTs ? { thread_ts: x.threadTs } : {}),
            ...(withMetadata && x.metadata ? { metadata: x.metadata } : {}),
          })),
          has_more: more,
          response_metadata: { next_cursor: more ? Buffer.from(`next:${offset + limit}`).toString('base64') : '' },
        });
      }
      default:
        return fail('unknown_method');
    }
  }
}

function parseParams(type: string, raw: string): Record<string, unknown> {
  if (type.startsWith('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  return Object.fromEntries(new URLSearchParams(raw));
}

/** Event metadata as Slack takes it: an object (JSON in a form field) with a string `event_type` and an object payload. */
function parseMetadata(v: unknown): SlackPost['metadata'] | 'invalid' {
  if (v === undefined || v === '') return null;
  let value = v;
  if (typeof v === 'string') {
    try {
      value = JSON.parse(v);
    } catch {
      return 'invalid';
    }
  }
  const m = value as { event_type?: unknown; event_payload?: unknown } | null;
  if (typeof m?.event_type !== 'string' || typeof m.event_payload !== 'object' || m.event_payload === null) {
    return 'invalid';
  }
  return { event_type: m.event_type, event_payload: m.event_payload as Record<string, unknown> };
}

function parseBlocks(v: unknown): unknown[] | null {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string' && v) return JSON.parse(v) as unknown[];
  return null;
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
