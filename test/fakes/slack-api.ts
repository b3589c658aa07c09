import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageBlockProblems, viewProblems } from './slack-blocks.ts';
import { FakeSlackFiles } from './slack-files.ts';
import { FakeSocketMode } from './slack-socket.ts';

/**
 * A fake of Slack's Web API for @slack/web-api pointed at it with
 * `slackApiUrl`: form-encoded or JSON calls with a Bearer token, answers in
 * Slack's shape (`ok`, `error`), `ts` values like Slack's (unix seconds and a
 * 6-digit sequence). As strict as Slack where the adapter could go wrong:
 * channels must exist (listed, or opened as a DM); `chat.update` needs a ts
 * the bot posted in that channel; `views.open` needs a trigger_id Slack issued
 * for an interaction (`issueTrigger`) less than 3 s ago, used once; Block Kit
 * is validated (block types, text lengths, at most 50 blocks a message).
 * `chat.postMessage` is limited per channel (one per `intervalMs`), the other
 * methods per minute by their tier; past it, 429 with Retry-After in seconds.
 * Socket Mode (`socket`) opens with `apps.connections.open` and the app-level token.
 * `conversations.open` opens a DM (D…) or group DM (G…) once, then answers `already_open`, and needs
 * the bot token's `im:write` (`mpim:write`) scope; `chat.getPermalink` links a message the bot posted.
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
  /** Files shared with the message (files.completeUploadExternal). */
  files?: string[];
}

export interface FakeSlackOptions {
  token: string;
  /** Minimum time between two posts in one channel (Slack: about 1 s). */
  intervalMs?: number;
  bot?: { userId: string; botId: string; teamId: string };
  /** Channels that exist (public, private and DM ids); DMs opened by `conversations.open` are added. */
  channels?: string[];
  /** The fake's clock for rate limits and trigger expiry (default: Date.now). */
  now?: () => number;
  /** The app-level token (`xapp-…`) Socket Mode connects with. */
  appToken?: string;
  /**
   * The bot token's OAuth scopes. Methods that need one the token lacks answer `missing_scope`
   * with `needed` and `provided`, as Slack does (modelled: `conversations.open`, which needs
   * `im:write` for a DM and `mpim:write` for a group DM). Default: the app manifest's bot scopes.
   */
  scopes?: string[];
}

/** The bot scopes the shipped app manifest asks for: a fake bot token has them unless a test says otherwise. */
export const BOT_SCOPES: string[] = (
  JSON.parse(readFileSync(new URL('../../config/slack-manifest.json', import.meta.url), 'utf8')) as {
    oauth_config: { scopes: { bot: string[] } };
  }
).oauth_config.scopes.bot;

/** Calls per minute Slack allows each method (its rate-limit tiers); chat.postMessage is limited per channel instead. */
const PER_MINUTE: Record<string, number> = {
  'apps.connections.open': 1,
  'auth.test': 100,
  'chat.update': 50,
  'chat.delete': 50,
  'chat.postEphemeral': 100,
  'views.open': 100,
  'conversations.open': 50,
  'files.getUploadURLExternal': 100,
  'files.completeUploadExternal': 100,
};
/** A trigger_id is good for 3 seconds after the interaction. */
export const TRIGGER_TTL_MS = 3_000;
/** Slack truncates nothing: longer text is refused. */
const MAX_TEXT = 40_000;

export class FakeSlackApi {
  readonly calls: SlackCall[] = [];
  readonly posts: SlackPost[] = [];
  /** Calls refused with 429. */
  rateLimited = 0;
  readonly socket: FakeSocketMode;
  /** Uploads through files.uploadV2, and the files shared in channels. */
  readonly files = new FakeSlackFiles(() => this.#url.replace(/\/api\/$/, ''));
  readonly #events = new EventEmitter();
  readonly #lastPost = new Map<string, number>();
  readonly #failures = new Map<string, string[]>();
  /** ts of the bot's messages in each existing channel. */
  readonly #channels = new Map<string, Set<string>>();
  readonly #triggers = new Map<string, number>();
  /** DMs (and group DMs) opened, by the users in them. */
  readonly #ims = new Map<string, string>();
  readonly #recent = new Map<string, number[]>();
  readonly #server: Server;
  readonly #o: Required<FakeSlackOptions>;
  #seq = 0;
  #url = '';

  private constructor(o: FakeSlackOptions) {
    this.#o = {
      intervalMs: 1_000,
      bot: { userId: 'UBOT0001', botId: 'BBOT0001', teamId: 'T0000001' },
      channels: [],
      now: Date.now,
      appToken: 'xapp-1-A0000001-1-fake',
      scopes: BOT_SCOPES,
      ...o,
    };
    for (const c of this.#o.channels) this.addChannel(c);
    this.#events.setMaxListeners(0);
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => reply(res, 500, { ok: false, error: String(err) }));
    });
    this.socket = new FakeSocketMode(this.#server);
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

  readonly #files = new Map<string, { bytes: Buffer; mimetype: string }>();

  /**
   * A file someone shared, as a message event's `files[]` entry carries it: `url_private` serves the
   * bytes to the bot token only (Slack answers anything else with its sign-in page).
   */
  addFile(bytes: Buffer, mimetype: string, name: string) {
    const id = `F${String(this.#files.size + 1).padStart(8, '0')}`;
    this.#files.set(id, { bytes, mimetype });
    const base = this.#url.replace(/\/api\/$/, '');
    const url = `${base}/files-pri/${this.#o.bot.teamId}-${id}/${encodeURIComponent(name)}`;
    return { id, name, mimetype, size: bytes.length, url_private: url, url_private_download: `${url}?download=1` };
  }

  /** A channel (or DM) comes into existence, as when the bot is added to it or a customer writes to it. */
  addChannel(id: string): void {
    if (!this.#channels.has(id)) this.#channels.set(id, new Set());
  }

  /** The trigger_id Slack puts in an interaction payload it is about to send; views.open takes it once, within 3 s. */
  issueTrigger(): string {
    this.#seq += 1;
    const id = `${this.#seq}.${this.#o.bot.teamId.replace(/\D/g, '') || '1'}.${randomBytes(16).toString('hex')}`;
    this.#triggers.set(id, this.#o.now());
    return id;
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
    await this.socket.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #ts(): string {
    this.#seq += 1;
    return `${Math.floor(this.#o.now() / 1000)}.${String(this.#seq).padStart(6, '0')}`;
  }

  /** Slack's per-method limit: a 429 with the seconds until a call is allowed again, or null. */
  #overTier(method: string, at: number): number | null {
    const limit = PER_MINUTE[method];
    if (limit === undefined) return null;
    const recent = (this.#recent.get(method) ?? []).filter((t) => at - t < 60_000);
    this.#recent.set(method, recent);
    if (recent.length >= limit) return Math.max(1, Math.ceil((60_000 - (at - (recent[0] ?? at))) / 1000));
    recent.push(at);
    return null;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const file = /^\/files-pri\/T\w+-(F\d+)\//.exec(req.url ?? '');
    if (file) {
      const found = this.#files.get(file[1] ?? '');
      if (!found || req.headers.authorization !== `Bearer ${this.#o.token}`) {
        res.writeHead(found ? 302 : 404, found ? { location: 'https://slack.com/signin' } : {});
        return void res.end();
      }
      res.writeHead(200, { 'content-type': found.mimetype, 'content-length': found.bytes.length });
      return void res.end(found.bytes);
    }
    if (req.url?.startsWith('/upload/') && (await this.files.receive(req, res))) return void this.#events.emit('call');
    const method = /^\/api\/([a-zA-Z.]+)$/.exec(req.url?.split('?')[0] ?? '')?.[1];
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const params = parseParams(String(req.headers['content-type'] ?? ''), raw);
    if (!method) return reply(res, 404, { ok: false, error: 'unknown_method' });
    // Socket Mode connects with the app-level token, everything else with the bot token.
    const token = method === 'apps.connections.open' ? this.#o.appToken : this.#o.token;
    const other = method === 'apps.connections.open' ? this.#o.token : this.#o.appToken;
    if (req.headers.authorization === `Bearer ${other}`)
      return reply(res, 200, { ok: false, error: 'not_allowed_token_type' });
    if (req.headers.authorization !== `Bearer ${token}`) return reply(res, 200, { ok: false, error: 'invalid_auth' });
    const at = this.#o.now();
    const wait = this.#overTier(method, at);
    const answer =
      wait === null
        ? this.#answer(method, params, at)
        : { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(wait) } };
    if (answer.status === 429) this.rateLimited += 1;
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
      case 'apps.connections.open':
        return ok({ url: this.socket.openUrl(this.#url.replace(/\/api\/$/, '')) });
      case 'chat.postMessage': {
        const channel = String(p.channel ?? '');
        if (!this.#channels.has(channel)) return fail('channel_not_found');
        const refused = messageRefusal(p);
        if (refused) return refused;
        const last = this.#lastPost.get(channel);
        if (last !== undefined && at - last < this.#o.intervalMs) {
          const wait = Math.max(1, Math.ceil((this.#o.intervalMs - (at - last)) / 1000));
          return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(wait) } };
        }
        this.#lastPost.set(channel, at);
        const failure = this.#failures.get(channel)?.shift();
        if (failure) return fail(failure);
        const ts = this.#ts();
        const metadata = parseMetadata(p.metadata);
        if (metadata === 'invalid') return fail('invalid_metadata_format');
        this.#channels.get(channel)?.add(ts);
        const post: SlackPost = {
          channel,
          ts,
          text: String(p.text ?? ''),
          threadTs: p.thread_ts ? String(p.thread_ts) : null,
          blocks: parseJson(p.blocks) as unknown[] | null,
          metadata,
        };
        this.posts.push(post);
        return ok({ channel, ts, message: { type: 'message', text: post.text, ts, bot_id: b.botId, user: b.userId } });
      }
      case 'chat.update': {
        const posted = this.#channels.get(String(p.channel ?? ''));
        if (!posted) return fail('channel_not_found');
        if (!posted.has(String(p.ts ?? ''))) return fail('message_not_found');
        return messageRefusal(p) ?? ok({ channel: p.channel, ts: p.ts, text: p.text ?? '' });
      }
      case 'chat.delete': {
        // A bot token deletes the bot's own messages; the post is gone from the channel and its thread.
        const posted = this.#channels.get(String(p.channel ?? ''));
        if (!posted) return fail('channel_not_found');
        const i = this.posts.findIndex((x) => x.channel === p.channel && x.ts === String(p.ts ?? ''));
        if (i < 0) return fail('message_not_found');
        this.posts.splice(i, 1);
        posted.delete(String(p.ts));
        return ok({ channel: p.channel, ts: p.ts });
      }
      case 'chat.postEphemeral':
        if (!this.#channels.has(String(p.channel ?? ''))) return fail('channel_not_found');
        if (!p.user) return fail('user_not_in_channel');
        return messageRefusal(p) ?? ok({ message_ts: this.#ts() });
      case 'views.open': {
        const issued = this.#triggers.get(String(p.trigger_id ?? ''));
        if (issued === undefined) return fail('invalid_trigger_id');
        this.#triggers.delete(String(p.trigger_id));
        if (at - issued > TRIGGER_TTL_MS) return fail('expired_trigger_id');
        const problems = viewProblems(parseJson(p.view));
        if (problems.length > 0) return invalid('invalid_arguments', problems);
        return ok({ view: { id: `V${this.#seq}` } });
      }
      case 'files.getUploadURLExternal':
        return this.files.uploadUrl(p);
      case 'files.completeUploadExternal':
        return this.files.complete(
          p,
          (c) => this.#channels.has(c),
          (c, ts) => this.posts.some((x) => x.channel === c && x.ts === ts && x.threadTs === null),
          (channel, threadTs, text, files) =>
            this.posts.push({ channel, ts: this.#ts(), text, threadTs, blocks: null, metadata: null, files }),
        );
      case 'conversations.open': {
        // Slack: `users` is a comma-separated list; one user is a DM (D…, im:write), several a group DM (G…, mpim:write).
        const users = String(p.users ?? '')
          .split(',')
          .map((u) => u.trim())
          .filter(Boolean);
        if (users.length === 0)
          return p.channel ? fail('method_not_supported_for_channel_type') : fail('users_list_not_supplied');
        if (users.some((u) => !/^[UW][A-Z0-9]+$/.test(u))) return fail('user_not_found');
        const needed = users.length === 1 ? 'im:write' : 'mpim:write';
        if (!this.#o.scopes.includes(needed))
          return {
            status: 200,
            body: { ok: false, error: 'missing_scope', needed, provided: this.#o.scopes.join(',') },
          };
        const key = [...users].sort().join(',');
        const known = this.#ims.get(key);
        const id =
          known ?? (users.length === 1 ? `D${users[0]?.slice(1)}` : `G${String(this.#ims.size + 1).padStart(8, '0')}`);
        this.#ims.set(key, id);
        this.addChannel(id);
        return ok({ ...(known ? { no_op: true, already_open: true } : {}), channel: { id } });
      }
      case 'chat.getPermalink': {
        const channel = String(p.channel ?? '');
        const posted = this.#channels.get(channel);
        if (!posted) return fail('channel_not_found');
        const ts = String(p.message_ts ?? '');
        if (!posted.has(ts)) return fail('message_not_found');
        return ok({ channel, permalink: `https://fake.slack.test/archives/${channel}/p${ts.replace('.', '')}` });
      }
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

/** Form-encoded calls carry `blocks` and `view` as JSON text; JSON calls as values. */
function parseJson(v: unknown): unknown {
  if (typeof v === 'string' && v) return JSON.parse(v) as unknown;
  return v ?? null;
}

function invalid(error: string, messages: string[]) {
  return { status: 200, body: { ok: false, error, response_metadata: { messages } } };
}

/** What Slack refuses in a message's text and blocks, before anything is posted. */
function messageRefusal(p: Record<string, unknown>): { status: number; body: unknown } | null {
  const blocks = parseJson(p.blocks);
  if (!p.text && !blocks) return { status: 200, body: { ok: false, error: 'no_text' } };
  if (typeof p.text === 'string' && p.text.length > MAX_TEXT)
    return { status: 200, body: { ok: false, error: 'msg_too_long' } };
  if (blocks === null) return null;
  const problems = messageBlockProblems(blocks);
  return problems.length > 0 ? invalid('invalid_blocks', problems) : null;
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
