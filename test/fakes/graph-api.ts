import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphReads } from './graph-reads.ts';

/**
 * A fake of the Graph API parts the Meta adapter uses: the Send API
 * (`POST /{version}/{page-or-ig-id}/messages`, to a person or as a private
 * reply to a comment) and public comment replies (`/{comment}/comments` on
 * Facebook, `/{comment}/replies` on Instagram). It records every send and
 * answers errors in Graph's `{error: {…}}` shape. As strict as Graph where the
 * adapter could go wrong: the Page or account in the path must be one the
 * token may send as; `messaging_type` is required (RESPONSE, UPDATE, or
 * MESSAGE_TAG with a known tag); a person is messaged only within 24 h of
 * their last message, or 7 days with the HUMAN_AGENT tag (what the person
 * wrote reaches the fake through `delivered`, as Meta knows it); a comment
 * gets one private reply (error 10900), within 7 days when its time is known.
 * What was sent and what people wrote can be read back as Graph serves it
 * (graph-reads.ts): conversations, their messages, comment replies, and
 * whether a comment can still take a private reply.
 */

export interface RecordedSend {
  kind: 'dm' | 'private-reply' | 'comment-reply';
  /** The id in the path: Page/account for messages, comment for replies. */
  target: string;
  /** PSID/IGSID for DMs, comment id for private replies. */
  to: string;
  text: string;
  messagingType: string | null;
  tag: string | null;
  body: Record<string, unknown>;
  /** An attachment sent by URL: what Meta downloaded from it. */
  file?: FetchedFile;
  at: number;
}

export interface FetchedFile {
  type: string;
  contentType: string;
  bytes: Buffer;
}

const ATTACHMENT_TYPES = new Set(['image', 'audio', 'video', 'file']);
/** Meta's ceiling for a file sent by URL. */
const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

export type GraphScripted = { status: number; code: number; subcode?: number; message?: string; retryAfter?: string };

const PATH = /^\/(v\d+\.\d+)\/([A-Za-z0-9_.-]+)\/(messages|comments|replies)$/;
const GET_PATH = /^\/(v\d+\.\d+)\/([A-Za-z0-9_.-]+)(?:\/(conversations|messages|comments|replies))?$/;
const HOUR = 3_600_000;
const STANDARD_WINDOW_MS = 24 * HOUR;
const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR;
const PRIVATE_REPLY_WINDOW_MS = 7 * 24 * HOUR;
const MESSAGING_TYPES = new Set(['RESPONSE', 'UPDATE', 'MESSAGE_TAG']);
const TAGS = new Set(['HUMAN_AGENT', 'CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE']);

export interface FakeGraphOptions {
  accessToken: string;
  /** The Pages and Instagram accounts the token may send as. */
  pages: string[];
  /** Which of `pages` are Instagram professional accounts (their comments answer with /replies). */
  instagram?: string[];
  /** The fake's clock for the messaging windows (default: Date.now). */
  now?: () => number;
}

export class FakeGraphApi {
  readonly sends: RecordedSend[] = [];
  requests = 0;
  /** Called after each recorded send (benchmarks, e2e waits). */
  onSend: ((send: RecordedSend) => void) | null = null;
  readonly #script: GraphScripted[] = [];
  readonly #privatelyAnswered = new Set<string>();
  readonly #psids = new Map<string, string>();
  /** When each person last wrote to each Page or account: `${page}:${person}`. */
  readonly #lastWrote = new Map<string, number>();
  readonly #commentedAt = new Map<string, number>();
  readonly #pages: Set<string>;
  readonly #instagram: string[];
  readonly #reads: GraphReads;
  /** Failures scripted for the read edges only: the next GETs answer these. */
  readonly #readScript: GraphScripted[] = [];
  readonly #now: () => number;
  readonly #server: Server;
  readonly #token: string;
  #url = '';
  #seq = 0;

  private constructor(o: FakeGraphOptions) {
    this.#token = o.accessToken;
    this.#pages = new Set(o.pages);
    this.#instagram = o.instagram ?? [];
    this.#reads = new GraphReads(this.#instagram);
    this.#now = o.now ?? Date.now;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => error(res, 500, 2, String(err)));
    });
  }

  static async start(opts: FakeGraphOptions): Promise<FakeGraphApi> {
    const fake = new FakeGraphApi(opts);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The base URL to give the adapter as `apiBaseUrl`. */
  get url(): string {
    return this.#url;
  }

  /** The next requests fail with these answers, in order. */
  script(...answers: GraphScripted[]): void {
    this.#script.push(...answers);
  }

  /** The next GET requests (the read edges) fail with these answers, in order. */
  scriptReads(...answers: GraphScripted[]): void {
    this.#readScript.push(...answers);
  }

  /** The PSID/IGSID a private reply to `comment` reaches (default: derived from the comment id). */
  setCommenter(comment: string, user: string): void {
    this.#psids.set(comment, user);
  }

  /** A person wrote to a Page or account at `at`: their messaging window opens. */
  personWrote(page: string, person: string, at: number): void {
    const key = `${page}:${person}`;
    this.#lastWrote.set(key, Math.max(at, this.#lastWrote.get(key) ?? at));
  }

  /**
   * A webhook payload Meta is about to deliver: the messages and comments in
   * it are what people wrote, so the windows they open are Meta's to know.
   */
  delivered(payload: unknown): void {
    // Only well-formed events open a window; odd ones (fuzzed payloads) are Meta's to refuse, not ours to crash on.
    const list = (v: unknown): Array<Record<string, unknown>> =>
      Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object') : [];
    const entries = list((payload as { entry?: unknown } | null)?.entry);
    for (const e of entries) {
      for (const m of list(e.messaging)) {
        const message = m.message as { is_echo?: boolean } | undefined;
        const sender = (m.sender as { id?: string } | undefined)?.id;
        const page = (m.recipient as { id?: string } | undefined)?.id;
        if (sender && page && !message?.is_echo && typeof m.timestamp === 'number') {
          this.personWrote(page, sender, m.timestamp);
          const mid = (message as { mid?: unknown } | undefined)?.mid;
          const text = (message as { text?: unknown } | undefined)?.text;
          if (typeof mid === 'string' && typeof text === 'string')
            this.#reads.message(page, sender, { id: mid, text, at: m.timestamp, from: sender });
        }
      }
      for (const c of list(e.changes)) {
        const v = (c.value && typeof c.value === 'object' ? c.value : {}) as Record<string, unknown>;
        const id = typeof v.comment_id === 'string' ? v.comment_id : typeof v.id === 'string' ? v.id : null;
        const at =
          typeof v.created_time === 'number' ? v.created_time * 1000 : typeof e.time === 'number' ? e.time : null;
        if (id && at !== null) this.#commentedAt.set(id, at);
      }
    }
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', this.#url);
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? url.searchParams.get('access_token');
    if (req.method === 'GET') return this.#read(res, url, token);
    const match = PATH.exec(url.pathname);
    if (req.method !== 'POST' || !match)
      return error(res, 400, 100, `Unsupported request: ${req.method} ${url.pathname}`);
    if (token !== this.#token) return error(res, 400, 190, 'Invalid OAuth access token.');
    const scripted = this.#script.shift();
    if (scripted) {
      return error(
        res,
        scripted.status,
        scripted.code,
        scripted.message ?? 'scripted failure',
        scripted.subcode,
        scripted.retryAfter,
      );
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return error(res, 400, 100, 'The request body is not JSON');
    }
    const [, , target, edge] = match as unknown as [string, string, string, string];
    if (edge === 'messages') {
      if (!this.#pages.has(target)) {
        const why = `Unsupported post request. Object with ID '${target}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`;
        return error(res, 400, 100, why, 33);
      }
      return this.#message(res, target, body);
    }
    if (typeof body.message !== 'string' || body.message === '') return error(res, 400, 100, 'message is required');
    const id = `${target}_reply${++this.#seq}`;
    const ig = edge === 'replies';
    const from = (ig ? this.#instagram[0] : [...this.#pages].find((p) => !this.#instagram.includes(p))) ?? '?';
    this.#reads.reply(target, { id, text: body.message, at: this.#now(), from });
    this.#record({
      kind: 'comment-reply',
      target,
      to: target,
      text: body.message,
      messagingType: null,
      tag: null,
      body,
    });
    json(res, 200, { id });
  }

  async #message(res: ServerResponse, target: string, body: Record<string, unknown>) {
    const recipient = (body.recipient ?? {}) as Record<string, unknown>;
    const message = (body.message ?? {}) as Record<string, unknown>;
    const fetched = message.attachment === undefined ? null : await this.#attachment(message);
    if (fetched && 'problem' in fetched) return error(res, 400, 100, fetched.problem, fetched.subcode);
    const text = fetched ? '' : message.text;
    if (typeof text !== 'string' || (text === '' && !fetched)) return error(res, 400, 100, 'message.text is required');
    const quick = quickRepliesProblem(message.quick_replies);
    if (quick) return error(res, 400, 100, `(#100) ${quick}`);
    const messagingType = typeof body.messaging_type === 'string' ? body.messaging_type : null;
    const tag = typeof body.tag === 'string' ? body.tag : null;
    if (!messagingType || !MESSAGING_TYPES.has(messagingType))
      return error(res, 400, 100, '(#100) param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}');
    if (messagingType === 'MESSAGE_TAG' && (!tag || !TAGS.has(tag)))
      return error(res, 400, 100, '(#100) a valid tag is required with MESSAGE_TAG');
    const now = this.#now();
    const messageId = `m_${++this.#seq}`;
    if (typeof recipient.comment_id === 'string') {
      const comment = recipient.comment_id;
      if (this.#privatelyAnswered.has(comment)) return error(res, 400, 10900, '(#10900) Activity already replied to');
      const commented = this.#commentedAt.get(comment);
      if (commented !== undefined && now - commented > PRIVATE_REPLY_WINDOW_MS)
        return error(res, 400, 10903, '(#10903) This activity can not be replied to');
      this.#privatelyAnswered.add(comment);
      const psid = this.#psids.get(comment) ?? `psid${comment.replace(/\D/g, '')}`;
      this.#reads.message(target, psid, { id: messageId, text, at: now, from: target });
      if (fetched) return error(res, 400, 100, '(#100) A private reply to a comment can only contain text');
      this.#record({ kind: 'private-reply', target, to: comment, text, messagingType, tag, body });
      return json(res, 200, { recipient_id: psid, message_id: messageId });
    }
    if (typeof recipient.id !== 'string')
      return error(res, 400, 100, 'recipient.id or recipient.comment_id is required');
    const wrote = this.#lastWrote.get(`${target}:${recipient.id}`);
    const window =
      messagingType === 'MESSAGE_TAG' && tag === 'HUMAN_AGENT' ? HUMAN_AGENT_WINDOW_MS : STANDARD_WINDOW_MS;
    if (messagingType !== 'MESSAGE_TAG' || tag === 'HUMAN_AGENT') {
      if (wrote === undefined || now - wrote > window)
        return error(res, 400, 10, '(#10) This message is sent outside of allowed window.', 2018278);
    }
    this.#reads.message(target, recipient.id, { id: messageId, text, at: now, from: target });
    this.#record({
      kind: 'dm',
      target,
      to: recipient.id,
      text,
      messagingType,
      tag,
      body,
      ...(fetched ? { file: fetched } : {}),
    });
    json(res, 200, { recipient_id: recipient.id, message_id: messageId });
  }

  /**
   * An attachment as the Send API takes it: `{type, payload: {url, is_reusable}}` with no text
   * beside it; Meta downloads the URL when the message is sent, and refuses when it cannot.
   */
  async #attachment(message: Record<string, unknown>): Promise<FetchedFile | { problem: string; subcode?: number }> {
    if (message.text !== undefined) return { problem: '(#100) Only one of text or attachment can be specified' };
    const a = message.attachment as { type?: unknown; payload?: { url?: unknown; is_reusable?: unknown } } | null;
    if (typeof a?.type !== 'string' || !ATTACHMENT_TYPES.has(a.type))
      return { problem: '(#100) param message[attachment][type] must be one of {image, audio, video, file}' };
    const url = a.payload?.url;
    if (typeof url !== 'string') return { problem: '(#100) param message[attachment][payload][url] is required' };
    let got: Response;
    try {
      got = await fetch(url, { redirect: 'follow' });
    } catch {
      return { problem: '(#100) Failed to fetch the file from the url', subcode: 2018008 };
    }
    const bytes = Buffer.from(await got.arrayBuffer());
    if (!got.ok) return { problem: '(#100) Failed to fetch the file from the url', subcode: 2018008 };
    if (bytes.length > MAX_ATTACHMENT_BYTES) return { problem: '(#100) Attachment size exceeds allowable limit' };
    const contentType = got.headers.get('content-type') ?? '';
    if (a.type !== 'file' && !contentType.startsWith(`${a.type}/`))
      return { problem: `(#100) The attachment is ${contentType}, not an ${a.type}`, subcode: 2018047 };
    return { type: a.type, contentType, bytes };
  }

  #read(res: ServerResponse, url: URL, token: string | null) {
    const match = GET_PATH.exec(url.pathname);
    if (!match) return error(res, 400, 100, `Unsupported get request: ${url.pathname}`);
    if (token !== this.#token) return error(res, 400, 190, 'Invalid OAuth access token.');
    const scripted = this.#readScript.shift();
    if (scripted) {
      const { status, code, message, subcode, retryAfter } = scripted;
      return error(res, status, code, message ?? 'scripted failure', subcode, retryAfter);
    }
    const [, version, node, edge] = match as unknown as [string, string, string, string | undefined];
    const answer = this.#reads.get(this.#url, version, node, edge ?? null, url.searchParams, this.#pages, (c) =>
      this.#canReplyPrivately(c),
    );
    if (!answer) return error(res, 400, 100, `Unsupported get request: ${url.pathname}${url.search}`);
    if ('error' in answer) {
      const e = answer.error;
      return error(res, e.status, e.code, e.message, e.subcode);
    }
    json(res, answer.status, answer.body);
  }

  /** Whether Meta would take a private reply to `comment` now; null for a comment it never saw. */
  #canReplyPrivately(comment: string): boolean | null {
    const at = this.#commentedAt.get(comment);
    if (at === undefined && !this.#privatelyAnswered.has(comment)) return null;
    if (this.#privatelyAnswered.has(comment)) return false;
    return at === undefined || this.#now() - at <= PRIVATE_REPLY_WINDOW_MS;
  }

  #record(s: Omit<RecordedSend, 'at'>): void {
    const send = { ...s, at: performance.now() };
    this.sends.push(send);
    this.onSend?.(send);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function error(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  subcode?: number,
  retryAfter?: string,
): void {
  if (retryAfter) res.setHeader('retry-after', retryAfter);
  json(res, status, {
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(subcode ? { error_subcode: subcode } : {}),
      fbtrace_id: 'Fake',
    },
  });
}

/**
 * What the Send API refuses in `message.quick_replies`: more than 13, a text
 * reply without a title, a title over 20 characters, a payload over 1000.
 */
function quickRepliesProblem(quick: unknown): string | null {
  if (quick === undefined) return null;
  if (!Array.isArray(quick) || quick.length === 0) return 'param message[quick_replies] must be a non-empty array';
  if (quick.length > 13) return 'param message[quick_replies] must have at most 13 elements';
  for (const q of quick as Array<Record<string, unknown>>) {
    if (q.content_type !== 'text') return 'param message[quick_replies][content_type] must be text';
    if (typeof q.title !== 'string' || q.title === '') return 'param message[quick_replies][title] is required';
    if ([...q.title].length > 20) return 'param message[quick_replies][title] must be at most 20 characters';
    if (typeof q.payload !== 'string' || q.payload.length > 1000)
      return 'param message[quick_replies][payload] must be a string of at most 1000 characters';
  }
  return null;
}
