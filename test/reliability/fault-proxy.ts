import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of a provider fake: it writes down every request the
 * router makes (the raw count, nothing collapsed), can answer in the
 * provider's place with an outage (an error status in the provider's own
 * shape, a request that never gets an answer, a reset connection) before the
 * request reaches the fake, and keeps the Retry-After windows of every 429
 * that went back to the router, its own and the fake's, so requests sent
 * inside one can be counted.
 */

/** How the provider words its failures, and what a Retry-After of its covers. */
export interface ProviderShape {
  name: string;
  /** What a 429 answering this request holds back: the account, the Page, the channel … */
  scope(method: string, path: string, body: string): string;
  /** An error answer as the provider writes it. */
  error(status: number, retryAfterSeconds?: number): { headers: Record<string, string>; body: string };
}

export type Fault = { status: number; retryAfterSeconds?: number } | 'hang' | 'reset';

export interface ProxiedRequest {
  at: number;
  method: string;
  path: string;
  scope: string;
  /** The status the router got, or how the request ended without one. */
  outcome: number | 'hang' | 'reset' | 'upstream-error';
}

export interface RetryWindow {
  scope: string;
  from: number;
  until: number;
}

export interface FaultProxy {
  readonly url: string;
  readonly requests: ProxiedRequest[];
  readonly windows: RetryWindow[];
  /** From now on, each request is given `fault(request)`'s answer; null (or a null answer) lets it through. */
  setFault(fault: ((r: ProxiedRequest) => Fault | null) | null): void;
  /**
   * Requests that arrived while an earlier 429 of their scope still said to wait,
   * later than `graceMs` after that 429 left (requests already on the wire then are not the router's fault).
   */
  violations(graceMs: number): ProxiedRequest[];
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, shape: ProviderShape): Promise<FaultProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const requests: ProxiedRequest[] = [];
  const windows: RetryWindow[] = [];
  let fault: ((r: ProxiedRequest) => Fault | null) | null = null;

  const noteRetryAfter = (r: ProxiedRequest, status: number, retryAfter: unknown) => {
    const seconds = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
    if (status !== 429 || !Number.isFinite(seconds) || seconds <= 0) return;
    const from = performance.now();
    windows.push({ scope: r.scope, from, until: from + seconds * 1000 });
  };

  const answer = (res: ServerResponse, r: ProxiedRequest, status: number, retryAfterSeconds?: number) => {
    const e = shape.error(status, retryAfterSeconds);
    r.outcome = status;
    res.writeHead(status, { 'content-type': 'application/json', ...e.headers });
    res.end(e.body, () => noteRetryAfter(r, status, e.headers['retry-after']));
  };

  const forward = (req: IncomingMessage, res: ServerResponse, r: ProxiedRequest, body: Buffer) => {
    const headers = { ...req.headers, host: upstream.host };
    const up = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      (upRes) => {
        r.outcome = upRes.statusCode ?? 0;
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        upRes.on('end', () => noteRetryAfter(r, r.outcome as number, upRes.headers['retry-after']));
      },
    );
    up.on('error', () => {
      r.outcome = 'upstream-error';
      req.socket.destroy();
    });
    up.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const r: ProxiedRequest = {
        at: performance.now(),
        method,
        path,
        scope: shape.scope(method, path, body.toString('utf8')),
        outcome: 'hang',
      };
      requests.push(r);
      const f = fault?.(r) ?? null;
      if (f === null) return forward(req, res, r, body);
      if (f === 'hang') return; // the router's own timeout ends it
      if (f === 'reset') {
        r.outcome = 'reset';
        req.socket.resetAndDestroy();
        return;
      }
      answer(res, r, f.status, f.retryAfterSeconds);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    windows,
    setFault(f) {
      fault = f;
    },
    violations(graceMs) {
      const byScope = new Map<string, RetryWindow[]>();
      for (const w of windows) byScope.set(w.scope, [...(byScope.get(w.scope) ?? []), w]);
      return requests.filter((r) => byScope.get(r.scope)?.some((w) => r.at > w.from + graceMs && r.at < w.until));
    },
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
