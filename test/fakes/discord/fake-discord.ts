import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway } from './gateway.ts';
import { asSeenWith, Intents } from './intents.ts';
import {
  type FakeGuild,
  type FakeUser,
  guildCreatePayload,
  type MessageInput,
  type MessagePayload,
  messagePayload,
  userPayload,
} from './payloads.ts';
import {
  errors,
  json,
  type RestReply,
  readMessageBody,
  type Scripted,
  scriptedReply,
  type UploadedFile,
} from './rest.ts';
import { snowflake } from './snowflake.ts';

/**
 * A fake Discord on 127.0.0.1 for the real discord.js client: REST under
 * `/api/v10` (gateway/bot, create message with nonce dedupe, open DM, the
 * bot's own user, a channel's messages with `after`/`before`/`limit`) and the
 * gateway at the URL `/gateway/bot` returns. Messages the bot posts come back
 * on the gateway as MESSAGE_CREATE, as on Discord; fetched messages carry no
 * nonce, as on Discord.
 */

export interface PostedMessage {
  payload: MessagePayload;
  body: Record<string, unknown>;
  /** Files uploaded with it (multipart). */
  files: UploadedFile[];
}

export interface FakeDiscordOptions {
  token: string;
  guilds?: FakeGuild[];
  heartbeatMs?: number;
  /** Privileged intents enabled for the app in the developer portal (default: Message Content). */
  privilegedIntents?: number;
  /** The fake's clock for nonce expiry (default: Date.now). */
  now?: () => number;
}

/**
 * Discord checks a nonce with `enforce_nonce` against the messages of the
 * "past few minutes"; the fake takes the short end, so nothing relies on more.
 */
export const NONCE_TTL_MS = 2 * 60_000;
/** Discord's limit on a message's content. */
const MAX_CONTENT = 2_000;

const MESSAGES = /^\/api\/v10\/channels\/(\d+)\/messages$/;

export class FakeDiscord {
  readonly bot: FakeUser = { id: snowflake(), username: 'touchpoint-bot', bot: true };
  readonly applicationId = snowflake();
  readonly guilds: FakeGuild[];
  readonly gateway: FakeGateway;
  /** Messages the bot created through REST, in order (a deduplicated retry adds none). */
  readonly posted: PostedMessage[] = [];
  /** Every create-message request, failed and deduplicated ones included. */
  messageRequests = 0;
  /** Users who do not accept DMs from the bot: sends to their DM channel fail with 50007. */
  readonly closedDms = new Set<string>();
  /** `GET /gateway/bot` answers 502 this many more times (Discord having an outage). */
  gatewayBotFailures = 0;
  /** Answers for the next create-message requests, taken in order before the normal one. */
  readonly script: Scripted[] = [];
  readonly #users = new Map<string, FakeUser>();
  readonly #dmChannels = new Map<string, string>();
  readonly #byNonce = new Map<string, { payload: MessagePayload; at: number }>();
  /** Who wrote each message people posted, for the `message_reference` of the bot's answers. */
  readonly #authors = new Map<string, FakeUser>();
  /** Every message of each channel, oldest first. */
  readonly #history = new Map<string, MessagePayload[]>();
  readonly #token: string;
  readonly #now: () => number;
  readonly #server: Server;
  #url = '';

  private constructor(opts: FakeDiscordOptions) {
    this.#token = opts.token;
    this.#now = opts.now ?? Date.now;
    this.guilds = opts.guilds ?? [];
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) =>
        json(res, { status: 500, body: { code: 0, message: String(err) } }),
      );
    });
    this.gateway = new FakeGateway(
      this.#server,
      {
        token: opts.token,
        ready: (sessionId, resumeUrl) => ({
          v: 10,
          user: userPayload(this.bot),
          guilds: this.guilds.map((g) => ({ id: g.id, unavailable: true })),
          session_id: sessionId,
          resume_gateway_url: resumeUrl,
          application: { id: this.applicationId, flags: 0 },
        }),
        guilds: () => this.guilds.map((g) => guildCreatePayload(g, this.bot, Date.now())),
        privilegedIntents: opts.privilegedIntents ?? Intents.messageContent,
        shape: (t, d, intents) => asSeenWith(intents, this.bot.id, t, d),
      },
      opts.heartbeatMs,
    );
  }

  static async start(opts: FakeDiscordOptions): Promise<FakeDiscord> {
    const fake = new FakeDiscord(opts);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.#server.address() as AddressInfo;
    fake.#url = `http://127.0.0.1:${port}`;
    fake.gateway.setUrl(`ws://127.0.0.1:${port}/gateway`);
    return fake;
  }

  /** The REST base for the client's `rest.api` option (and our `apiBaseUrl` setting). */
  get apiBaseUrl(): string {
    return `${this.#url}/api`;
  }

  /** A person posts in a server channel or thread; returns the dispatched message. */
  say(input: Omit<MessageInput, 'guildId'> & { guildId: string }): MessagePayload {
    this.#users.set(input.author.id, input.author);
    const payload = messagePayload(input, Date.now());
    this.#authors.set(payload.id, input.author);
    this.#remember(payload);
    this.gateway.dispatch('MESSAGE_CREATE', payload);
    return payload;
  }

  /** A person writes to the bot in a DM; returns the dispatched message. */
  dm(author: FakeUser, content: string, attachments?: MessageInput['attachments']): MessagePayload {
    this.#users.set(author.id, author);
    const payload = messagePayload(
      {
        channelId: this.dmChannelOf(author.id),
        guildId: null,
        author,
        content,
        ...(attachments ? { attachments } : {}),
      },
      Date.now(),
    );
    this.#authors.set(payload.id, author);
    this.#remember(payload);
    this.gateway.dispatch('MESSAGE_CREATE', payload);
    return payload;
  }

  /** The DM channel between the bot and a user (made on first use, then always the same). */
  dmChannelOf(userId: string): string {
    let id = this.#dmChannels.get(userId);
    if (!id) {
      id = snowflake();
      this.#dmChannels.set(userId, id);
    }
    return id;
  }

  /** Resolves once the bot posted `n` messages. */
  waitForPosts(n: number, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const poll = () => {
        if (this.posted.length >= n) resolve();
        else if (Date.now() > deadline)
          reject(new Error(`timed out waiting for ${n} posts; got ${this.posted.length}`));
        else setTimeout(poll, 20);
      };
      poll();
    });
  }

  async stop(): Promise<void> {
    await this.gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.headers.authorization !== `Bot ${this.#token}`) return json(res, errors.unauthorized);
    if (req.method === 'GET' && path === '/api/v10/gateway/bot') {
      if (this.gatewayBotFailures > 0) {
        this.gatewayBotFailures--;
        return json(res, { status: 502, body: { code: 0, message: '502: Bad Gateway' } });
      }
      return json(res, {
        status: 200,
        body: {
          url: this.gateway.url,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
        },
      });
    }
    if (req.method === 'GET' && path === '/api/v10/users/@me')
      return json(res, { status: 200, body: userPayload(this.bot) });
    const listed = req.method === 'GET' ? MESSAGES.exec(path)?.[1] : undefined;
    if (listed) return json(res, this.#listMessages(listed, new URL(req.url ?? '', 'http://x').searchParams));
    const read = await readMessageBody(req);
    if ('error' in read) return json(res, read.error);
    const { body, files } = read;
    if (req.method === 'POST' && path === '/api/v10/users/@me/channels') return json(res, this.#openDm(body));
    const channel = MESSAGES.exec(path)?.[1];
    if (req.method === 'POST' && channel) {
      this.messageRequests++;
      const scripted = this.script.shift();
      if (scripted && 'drop' in scripted) {
        req.socket.destroy();
        return;
      }
      return json(res, scripted ? scriptedReply(scripted) : this.#createMessage(channel, body, files));
    }
    return json(res, errors.notFound);
  }

  #remember(payload: MessagePayload): void {
    const list = this.#history.get(payload.channel_id) ?? [];
    list.push(payload);
    this.#history.set(payload.channel_id, list);
  }

  #knows(channelId: string): boolean {
    return (
      [...this.#dmChannels.values()].includes(channelId) ||
      this.guilds.some((g) => g.channels.some((c) => c.id === channelId) || g.threads.some((t) => t.id === channelId))
    );
  }

  /** `GET /channels/{id}/messages`: newest first; `after` gives the `limit` messages right after that id. */
  #listMessages(channelId: string, q: URLSearchParams): RestReply {
    if (!this.#knows(channelId)) return errors.unknownChannel;
    const limit = Number(q.get('limit') ?? '50');
    const after = q.get('after');
    const before = q.get('before');
    const snowflakeOk = (v: string | null) => v === null || /^\d{1,20}$/.test(v);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !snowflakeOk(after) || !snowflakeOk(before)) {
      return { status: 400, body: { code: 50035, message: 'Invalid Form Body' } };
    }
    const all = this.#history.get(channelId) ?? [];
    const byId = (a: MessagePayload, b: MessagePayload) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1);
    let picked: MessagePayload[];
    if (after !== null)
      picked = all
        .filter((m) => BigInt(m.id) > BigInt(after))
        .sort(byId)
        .slice(0, limit);
    else
      picked = all
        .filter((m) => before === null || BigInt(m.id) < BigInt(before))
        .sort(byId)
        .slice(-limit);
    // Discord hands the nonce back only when the message is created, never in a fetch.
    return {
      status: 200,
      body: picked.reverse().map(({ nonce: _nonce, ...m }: MessagePayload & { nonce?: string }) => m),
    };
  }

  #openDm(body: Record<string, unknown>): RestReply {
    const user = typeof body.recipient_id === 'string' ? this.#users.get(body.recipient_id) : undefined;
    if (!user) return errors.unknownUser;
    return {
      status: 200,
      body: { id: this.dmChannelOf(user.id), type: 1, last_message_id: null, recipients: [userPayload(user)] },
    };
  }

  #createMessage(channelId: string, body: Record<string, unknown>, files: UploadedFile[]): RestReply {
    const dmUser = [...this.#dmChannels].find(([, id]) => id === channelId)?.[0] ?? null;
    const guild = this.guilds.find(
      (g) => g.channels.some((c) => c.id === channelId) || g.threads.some((t) => t.id === channelId),
    );
    if (!guild && !dmUser) return errors.unknownChannel;
    if (dmUser && this.closedDms.has(dmUser)) return errors.cannotDm;
    const content = typeof body.content === 'string' ? body.content : '';
    if (content.length > MAX_CONTENT) return errors.contentTooLong;
    if (content.trim() === '' && !body.embeds && !body.sticker_ids && files.length === 0) return errors.emptyMessage;
    const nonce = typeof body.nonce === 'string' ? body.nonce : null;
    const key = nonce ? `${channelId}:${nonce}` : null;
    const now = this.#now();
    // Discord answers a recent repeated nonce with the message it created the first time.
    const earlier = key && body.enforce_nonce === true ? this.#byNonce.get(key) : undefined;
    if (earlier && now - earlier.at < NONCE_TTL_MS) return { status: 200, body: earlier.payload };
    const refId = (body.message_reference as { message_id?: unknown } | undefined)?.message_id;
    const refAuthor = typeof refId === 'string' ? this.#authors.get(refId) : undefined;
    const payload = messagePayload(
      {
        channelId,
        guildId: guild?.id ?? null,
        author: this.bot,
        content,
        nonce,
        reference: typeof refId === 'string' && refAuthor ? { messageId: refId, author: refAuthor } : null,
        attachments: files.map((f) => {
          const id = snowflake();
          const url = `https://cdn.discordapp.com/attachments/${channelId}/${id}/${encodeURIComponent(f.filename)}`;
          return { id, filename: f.filename, size: f.bytes.length, url, proxy_url: url, content_type: f.contentType };
        }),
      },
      Date.now(),
    );
    if (key) this.#byNonce.set(key, { payload, at: now });
    this.posted.push({ payload, body, files });
    this.#remember(payload);
    this.gateway.dispatch('MESSAGE_CREATE', payload);
    return { status: 200, body: payload };
  }
}
