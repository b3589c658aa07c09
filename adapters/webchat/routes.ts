import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import {
  type ChannelHost,
  type CorsPolicy,
  type Envelope,
  HttpError,
  type HttpRequest,
  type HttpResponse,
  type IpRateLimit,
  jsonBody,
  type RouteRegistry,
  type Takeover,
  unauthorized,
  validate,
} from '../../src/channel/index.ts';
import type { LiveClients } from './live.ts';
import { messageFrame } from './live.ts';
import type { VisitorTokens } from './session.ts';
import type { WebchatSettings } from './settings.ts';
import { threadKeyOf } from './thread.ts';
import { registerWebchatUpload } from './upload.ts';
import { isVisible, viewOfMessage } from './view.ts';

export interface WebchatRouteDeps {
  settings: WebchatSettings;
  host: ChannelHost;
  tokens: VisitorTokens;
  live: LiveClients;
  limiter: IpRateLimit;
  cors: CorsPolicy;
}

export const TOKEN_HEADER = 'x-visitor-token';
const HISTORY_PAGE = 100;
const messageId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a message id');
const historyQuery = z.object({ after: messageId.optional() });
const eventsQuery = z.object({ token: z.string().optional(), after: messageId.optional() });

/** The browser API of the web chat: sessions, sending, history and the live event stream. */
export function registerWebchatApi(routes: RouteRegistry, deps: WebchatRouteDeps): void {
  const { settings, host, tokens, live, limiter, cors } = deps;
  const max = settings.maxMessageLength;
  const count = new Intl.NumberFormat('en');
  const sendBody = z
    .object({
      text: z.string().trim().min(1, 'must not be empty'),
      clientId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, - or _'),
    })
    .strict();

  const withCors = (req: HttpRequest, r: HttpResponse): HttpResponse => ({
    ...r,
    headers: { ...r.headers, ...cors.headers(req), 'cache-control': 'no-store' },
  });
  const visitor = (req: HttpRequest, token?: string): string => {
    const raw = token ?? header(req, TOKEN_HEADER);
    const id = tokens.verify(raw);
    if (!id)
      throw unauthorized(raw ? 'the visitor token is not valid; start a new session' : `missing ${TOKEN_HEADER}`);
    return id;
  };
  const preflight = (methods: string) => (req: HttpRequest) =>
    cors.preflight(req, methods, `content-type, ${TOKEN_HEADER}`);

  routes.add('OPTIONS', '/webchat/session', preflight('POST'));
  routes.add(
    'POST',
    '/webchat/session',
    (req) => {
      cors.check(req);
      limiter.take(`session:${req.ip}`);
      return withCors(req, { status: 201, body: tokens.issue() });
    },
    { maxBodyBytes: 1024 },
  );

  routes.add('OPTIONS', '/webchat/messages', preflight('GET, POST'));
  routes.add(
    'POST',
    '/webchat/messages',
    async (req) => {
      cors.check(req);
      const visitorId = visitor(req);
      limiter.take(`message:${req.ip}`);
      const body = jsonBody(req, sendBody);
      if (body.text.length > max) {
        const n = count.format(body.text.length);
        throw new HttpError(
          413,
          'payload_too_large',
          `text: ${n} characters, over the ${max} this chat takes (webchat.maxMessageLength)`,
        );
      }
      const envelope: Envelope = {
        channel: 'webchat',
        providerId: `${visitorId}:${body.clientId}`,
        touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
        threadKey: threadKeyOf(visitorId),
        from: { kind: 'webchat', value: visitorId },
        text: body.text,
        replyRef: { visitorId },
        sentAt: host.clock.now(),
        raw: { text: body.text, clientId: body.clientId },
      };
      const result = await host.ingest(envelope);
      return withCors(req, { status: 202, body: { id: result.eventId, duplicate: result.duplicate } });
    },
    // Room for the longest text with every character JSON-escaped.
    { maxBodyBytes: max * 6 + 1024 },
  );

  routes.add('OPTIONS', '/webchat/files', preflight('POST'));
  registerWebchatUpload(routes, { settings, host, visitor: (req) => visitor(req), limiter, cors, withCors });

  routes.add('OPTIONS', '/webchat/availability', preflight('GET'));
  routes.add('GET', '/webchat/availability', (req) => {
    cors.check(req);
    const a = host.availability?.(host.clock.now()) ?? { open: true, nextOpening: null };
    return withCors(req, { status: 200, headers: { 'cache-control': 'no-store' }, body: a });
  });

  routes.add('GET', '/webchat/messages', async (req) => {
    cors.check(req);
    const visitorId = visitor(req);
    const q = validate(Object.fromEntries(req.query), historyQuery, 'query');
    const messages = await host.history(threadKeyOf(visitorId), { afterId: q.after ?? null, limit: HISTORY_PAGE });
    const views = messages.filter(isVisible).map((m) => viewOfMessage(m, visitorId, host.files));
    // The page declares the conversation's language (html lang), so screen readers speak it right.
    const language = (await host.languageOf?.(threadKeyOf(visitorId))) ?? null;
    return withCors(req, { status: 200, body: { messages: views, more: messages.length === HISTORY_PAGE, language } });
  });

  routes.add('GET', '/webchat/events', (req): Takeover => {
    cors.check(req);
    const q = validate(Object.fromEntries(req.query), eventsQuery, 'query');
    // EventSource cannot send headers: the token comes in the query string.
    const visitorId = visitor(req, q.token ?? header(req, TOKEN_HEADER));
    const lastEventId = header(req, 'last-event-id');
    const after = lastEventId && messageId.safeParse(lastEventId).success ? lastEventId : q.after;
    return {
      stream: true,
      takeover: (res) => {
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store, no-transform',
          'x-accel-buffering': 'no',
          ...cors.headers(req),
        });
        res.write('retry: 3000\n\n');
        live.add(visitorId, res);
        if (after) void sendBacklog(res, visitorId, after);
      },
    };
  });

  /** What the browser missed while disconnected; duplicates of live pushes are dropped by the page. */
  async function sendBacklog(res: ServerResponse, visitorId: string, after: string): Promise<void> {
    try {
      const messages = await host.history(threadKeyOf(visitorId), { afterId: after, limit: HISTORY_PAGE });
      for (const m of messages.filter(isVisible)) {
        if (!res.writableEnded) res.write(messageFrame(viewOfMessage(m, visitorId, host.files)));
      }
    } catch (err) {
      host.log.warn({ err, visitorId }, 'reading web chat history for a reconnecting visitor failed');
    }
  }
}

function header(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
