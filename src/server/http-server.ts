import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Authenticate } from '../access/principal.ts';
import { type Clock, systemClock } from '../clock.ts';
import { ClientGone, forbidden, HttpError, notFound, TouchpointError, unauthorized } from '../errors.ts';
import type { HttpRequest, Principal, RouteRegistry } from '../http/http-types.ts';
import type { Logger } from '../log.ts';
import { HEAVY_BYTES, heavyTurn } from '../turns.ts';
import { readBody } from './body.ts';
import { ConnectionLimits, DEFAULT_LIMITS, type ServerLimits } from './limits.ts';
import { createRejectionLog } from './rejections.ts';
import { writeError, writeResponse } from './respond.ts';
import { type Route, RouteTable } from './route-table.ts';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** The base URL providers call (behind a proxy); default `http://host:port`. */
  publicUrl?: string;
  /** Take the client address from X-Forwarded-For. */
  trustProxy: boolean;
  /** Who is asking, for routes with `auth` (src/access/principal.ts). */
  authenticate: Authenticate;
  log: Logger;
  /** False until the app has started everything (and /readyz answers 503 meanwhile). */
  isReady: () => boolean;
  /** Each channel's state (credentials), reported by /readyz. */
  channels?: () => Record<string, unknown>;
  /** Times the shutdown grace period (tests pass a VirtualClock). */
  clock?: Clock;
  /** Timeouts and caps on what clients may hold (defaults: DEFAULT_LIMITS). */
  limits?: Partial<ServerLimits>;
  /** Told of every answer: the route pattern (null when none matched), status, and the error code of a refusal. */
  onAnswered?: (answer: Answered) => void;
}

export interface Answered {
  route: string | null;
  method: string;
  status: number;
  reason: string | null;
}

/** Always answered, whoever asks how often: monitors poll these. */
const UNLIMITED = new Set(['/healthz', '/readyz']);

export interface HttpServer {
  /** Where routes are added, and listed (the API description reads them). */
  readonly routes: RouteRegistry & { list(): Route[] };
  /** Starts listening; resolves with the local base URL (`http://127.0.0.1:PORT`). */
  listen(): Promise<string>;
  /** Stops accepting, answers 503 meanwhile, waits up to `graceMs` for requests in flight, then closes every connection. */
  close(graceMs: number): Promise<void>;
  readonly draining: boolean;
}

const draining503 = () => new HttpError(503, 'shutting_down', 'the server is shutting down; try again shortly');

/** One port for every webhook, page and the admin API, on bare node:http. */
export function createHttpServer(opts: HttpServerOptions): HttpServer {
  const { log, trustProxy } = opts;
  const clock = opts.clock ?? systemClock;
  const table = new RouteTable();
  let base = opts.publicUrl ? opts.publicUrl.replace(/\/+$/, '') : '';
  let draining = false;
  let closing: Promise<void> | null = null;
  let inFlight = 0;
  let onIdle: (() => void) | null = null;
  const streams = new Set<ServerResponse>();
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const caps = new ConnectionLimits(limits);
  const noteRejection = createRejectionLog(log);

  table.add('GET', '/healthz', () => ({ status: 200, body: { status: 'ok' } }));
  table.add('GET', '/readyz', () => {
    if (draining) return { status: 503, body: { status: 'draining' } };
    const channels = opts.channels ? { channels: opts.channels() } : {};
    return opts.isReady()
      ? { status: 200, body: { status: 'ready', ...channels } }
      : { status: 503, body: { status: 'starting', ...channels } };
  });

  /** The principal of an authenticated route, or a 401/403 saying why not. */
  async function admit(req: IncomingMessage, need: 'agent' | 'admin', what: string): Promise<Principal> {
    const principal = await opts.authenticate(req);
    if (!principal) {
      const given = req.headers.authorization;
      if (!given) throw unauthorized('the API needs an "Authorization: Bearer <token>" header');
      if (!/^Bearer +\S+ *$/i.test(given)) throw unauthorized('the Authorization header must be "Bearer <token>"');
      throw unauthorized('the token is unknown, revoked or replaced by a rotation');
    }
    if (need === 'admin' && principal.role !== 'admin')
      throw forbidden(`${what} is for admins only; "${principal.agentId}" has the role ${principal.role}`);
    return principal;
  }

  const finished = () => {
    inFlight--;
    if (inFlight === 0 && onIdle) onIdle();
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (draining) return writeError(res, draining503(), log, true);
    inFlight++;
    let release: (() => void) | null = finished;
    let releaseIp: (() => void) | null = null;
    const method = req.method ?? 'GET';
    const answered: Answered = { route: null, method, status: 0, reason: null };
    const onAnswered = opts.onAnswered;
    if (onAnswered)
      res.once('finish', () => {
        answered.status = res.statusCode;
        onAnswered(answered);
      });
    let webhook: { path: string; signedUrl: string } | null = null;
    try {
      caps.checkConnection(req.socket);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      const match = table.match(method, path);
      if (match.kind === 'not_found') throw notFound(`no route for ${method} ${path}`);
      if (match.kind === 'wrong_method') {
        const allow = match.allow.join(', ');
        const body = { error: 'method_not_allowed', reason: `${method} is not allowed on ${path}; use ${allow}` };
        return writeResponse(res, { status: 405, headers: { allow }, body }, draining);
      }
      const { route } = match;
      answered.route = route.pattern;
      const principal = route.auth === 'none' ? null : await admit(req, route.auth, `${method} ${route.pattern}`);
      if (!principal) webhook = { path, signedUrl: base + url };
      const ip = clientIp(req, trustProxy);
      if (!principal && !UNLIMITED.has(path)) releaseIp = caps.admit(ip);
      const request: HttpRequest = {
        method,
        path,
        query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
        headers: req.headers,
        rawBody: await readBody(req, route.maxBodyBytes),
        params: match.params,
        ip,
        publicUrl: base + url,
        raw: req,
        principal,
      };
      // a large body is parsed and checked in a turn of its own (src/turns.ts)
      if (request.rawBody.length > HEAVY_BYTES) await heavyTurn();
      const out = await route.handler(request);
      if ('takeover' in out) {
        if (out.stream) {
          streams.add(res);
          res.once('close', () => streams.delete(res));
        } else {
          // The handler answers in its own time: the request is in flight until the response closes.
          const done = release;
          release = null;
          res.once('close', done);
        }
        out.takeover(res);
        return;
      }
      writeResponse(res, out, draining);
    } catch (err) {
      answered.reason = err instanceof TouchpointError ? err.code : 'internal';
      if (err instanceof ClientGone) res.destroy();
      else {
        if (webhook) noteRejection(err, req, webhook.path, webhook.signedUrl);
        writeError(res, err, log, draining);
      }
    } finally {
      releaseIp?.();
      release?.();
    }
  }

  // Node looks for requests past their timeouts this often (30 s by default, which would stretch them).
  const connectionsCheckingInterval = Math.max(100, Math.min(1_000, limits.requestTimeoutMs / 4));
  const server = createServer({ connectionsCheckingInterval }, (req, res) => {
    handle(req, res).catch((err) => {
      log.error({ err }, 'answering a request failed');
      res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  caps.apply(server);

  function waitForInFlight(graceMs: number): Promise<void> {
    if (inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const cancel = clock.after(graceMs, () => {
        log.warn({ inFlight }, 'shutdown grace period over; closing connections with requests in flight');
        onIdle = null;
        resolve();
      });
      onIdle = () => {
        cancel();
        onIdle = null;
        resolve();
      };
    });
  }

  return {
    routes: table,
    get draining() {
      return draining;
    },
    listen() {
      return new Promise<string>((resolve, reject) => {
        const onError = (err: Error) =>
          reject(
            new TouchpointError('listen_failed', `cannot listen on ${opts.host}:${opts.port}: ${err.message}`, {
              cause: err,
            }),
          );
        server.once('error', onError);
        server.listen(opts.port, opts.host, () => {
          server.off('error', onError);
          server.on('error', (err) => log.error({ err }, 'http server error'));
          const local = localUrl(opts.host, (server.address() as AddressInfo).port);
          if (!base) base = local;
          log.info({ url: local }, 'http server listening');
          resolve(local);
        });
      });
    },
    close(graceMs) {
      if (closing) return closing;
      draining = true;
      closing = (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        for (const s of streams) s.end();
        await waitForInFlight(graceMs);
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = req.headers['x-forwarded-for'];
    const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? '';
}

function localUrl(host: string, port: number): string {
  const h = host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}
