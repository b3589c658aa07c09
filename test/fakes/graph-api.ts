import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of the Graph API parts the Meta adapter uses: the Send API
 * (`POST /{version}/{page-or-ig-id}/messages`, to a person or as a private
 * reply to a comment) and public comment replies (`/{comment}/comments` on
 * Facebook, `/{comment}/replies` on Instagram). It records every send,
 * refuses a second private reply to the same comment the way Graph does
 * (error 10900), and answers errors in Graph's `{error: {…}}` shape.
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
  at: number;
}

export type GraphScripted = { status: number; code: number; subcode?: number; message?: string; retryAfter?: string };

const PATH = /^\/(v\d+\.\d+)\/([A-Za-z0-9_.-]+)\/(messages|comments|replies)$/;

export class FakeGraphApi {
  readonly sends: RecordedSend[] = [];
  requests = 0;
  /** Called after each recorded send (benchmarks, e2e waits). */
  onSend: ((send: RecordedSend) => void) | null = null;
  readonly #script: GraphScripted[] = [];
  readonly #privatelyAnswered = new Set<string>();
  readonly #psids = new Map<string, string>();
  readonly #server: Server;
  readonly #token: string;
  #url = '';
  #seq = 0;

  private constructor(token: string) {
    this.#token = token;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => error(res, 500, 2, String(err)));
    });
  }

  static async start(opts: { accessToken: string }): Promise<FakeGraphApi> {
    const fake = new FakeGraphApi(opts.accessToken);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The base URL to give the adapter as `graphApiUrl`. */
  get url(): string {
    return this.#url;
  }

  /** The next requests fail with these answers, in order. */
  script(...answers: GraphScripted[]): void {
    this.#script.push(...answers);
  }

  /** The PSID/IGSID a private reply to `comment` reaches (default: derived from the comment id). */
  setCommenter(comment: string, user: string): void {
    this.#psids.set(comment, user);
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
    const match = PATH.exec(url.pathname);
    if (req.method !== 'POST' || !match)
      return error(res, 400, 100, `Unsupported request: ${req.method} ${url.pathname}`);
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? url.searchParams.get('access_token');
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
    if (edge === 'messages') return this.#message(res, target, body);
    if (typeof body.message !== 'string' || body.message === '') return error(res, 400, 100, 'message is required');
    const id = `${target}_reply${++this.#seq}`;
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

  #message(res: ServerResponse, target: string, body: Record<string, unknown>) {
    const recipient = (body.recipient ?? {}) as Record<string, unknown>;
    const text = ((body.message ?? {}) as Record<string, unknown>).text;
    if (typeof text !== 'string' || text === '') return error(res, 400, 100, 'message.text is required');
    const messagingType = typeof body.messaging_type === 'string' ? body.messaging_type : null;
    const tag = typeof body.tag === 'string' ? body.tag : null;
    if (messagingType === 'MESSAGE_TAG' && !tag) return error(res, 400, 100, 'a tag is required with MESSAGE_TAG');
    const messageId = `m_${++this.#seq}`;
    if (typeof recipient.comment_id === 'string') {
      const comment = recipient.comment_id;
      if (this.#privatelyAnswered.has(comment)) return error(res, 400, 10900, '(#10900) Activity already replied to');
      this.#privatelyAnswered.add(comment);
      this.#record({ kind: 'private-reply', target, to: comment, text, messagingType, tag, body });
      return json(res, 200, {
        recipient_id: this.#psids.get(comment) ?? `psid${comment.replace(/\D/g, '')}`,
        message_id: messageId,
      });
    }
    if (typeof recipient.id !== 'string')
      return error(res, 400, 100, 'recipient.id or recipient.comment_id is required');
    this.#record({ kind: 'dm', target, to: recipient.id, text, messagingType, tag, body });
    json(res, 200, { recipient_id: recipient.id, message_id: messageId });
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
