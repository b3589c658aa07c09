import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChannelAdapter } from '../../src/channel/contract.ts';
import type { VirtualClock } from '../../src/clock.ts';
import { HttpError } from '../../src/errors.ts';
import type { HttpRequest, HttpResponse } from '../../src/http/http-types.ts';
import { createFakeHost, type Route } from './fake-host.ts';

/**
 * A small node:http server mounting the routes an adapter registered, the way
 * the router's server does: raw body read first, `publicUrl` built from the
 * configured public base (what Twilio signs), HttpError answered with its
 * status and reason, anything else thrown answered 500.
 */
export async function startHarness(routes: Route[], publicBase: string) {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = routes.find((r) => r.method === req.method && r.pattern === target.pathname);
    let out: HttpResponse;
    if (!route) {
      out = { status: 404, body: 'not found' };
    } else {
      try {
        const got = await route.handler(toRequest(req, target, Buffer.concat(chunks), publicBase));
        if ('takeover' in got) return got.takeover(res);
        out = got;
      } catch (err) {
        out =
          err instanceof HttpError
            ? { status: err.status, body: err.message }
            : { status: 500, body: 'internal error' };
      }
    }
    const body = typeof out.body === 'string' || Buffer.isBuffer(out.body) ? out.body : JSON.stringify(out.body ?? '');
    res.writeHead(out.status, { 'content-type': 'text/plain; charset=utf-8', ...out.headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function toRequest(req: IncomingMessage, target: URL, rawBody: Buffer, publicBase: string): HttpRequest {
  return {
    method: req.method ?? 'GET',
    path: target.pathname,
    query: target.searchParams,
    headers: req.headers,
    principal: null,
    rawBody,
    params: {},
    ip: req.socket.remoteAddress ?? '',
    publicUrl: `${publicBase}${target.pathname}${target.search}`,
    raw: req,
  };
}

/**
 * Starts `adapter` on a fake host and serves the routes it registered as if at
 * `publicBase`; `close` stops the adapter, then the server.
 */
export async function serveAdapter(adapter: ChannelAdapter, publicBase: string, clock?: VirtualClock) {
  const fake = createFakeHost({ publicUrl: `${publicBase}/`, ...(clock ? { clock } : {}) });
  await adapter.start(fake.host);
  const harness = await startHarness(fake.routes, publicBase);
  return {
    fake,
    harness,
    async close() {
      await adapter.stop();
      await harness.close();
    },
  };
}
