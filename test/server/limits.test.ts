import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { routerFile } from '../../src/settings/schema.ts';
import { openSocket, readUntilClosed, startTestServer, type TestServer } from './helpers.ts';

describe('HTTP server limits', () => {
  let t: TestServer | null = null;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await t?.server.close(0);
    t = null;
  });

  async function start(limits: Record<string, number>) {
    t = await startTestServer({ log: silentLogger, limits });
    return t;
  }

  it('cuts off a request whose body trickles in, with 408, long before it is complete', async () => {
    const { server, url } = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    server.routes.add('POST', '/hook', (req) => ({ status: 200, body: { bytes: req.rawBody.length } }));
    const s = await openSocket(url);
    sockets.push(s);
    const answer = readUntilClosed(s);
    s.write('POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 600\r\n\r\n');
    // one byte every 50 ms would take 30 s to finish the body
    let sent = 0;
    while (!s.destroyed && s.writable && sent < 600) {
      s.write('x');
      sent++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(sent).toBeLessThan(600);
  });

  it('cuts off a client that never finishes its headers', async () => {
    const { url } = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    const s = await openSocket(url);
    sockets.push(s);
    const answer = readUntilClosed(s);
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(await answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers 503 with the reason on connections past the cap, and serves again once they close', async () => {
    const { url } = await start({ maxConnections: 2 });
    sockets.push(await openSocket(url), await openSocket(url));
    const refused = await fetch(`${url}/healthz`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('connection')).toBe('close');
    expect(await refused.json()).toEqual({
      error: 'too_many_connections',
      reason: 'the server has 2 connections open, its limit; try again shortly',
    });
    for (const s of sockets.splice(0)) s.destroy();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await fetch(`${url}/healthz`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe(200);
  });

  it('answers 503 to requests past one address’s share in flight, never to health checks', async () => {
    const { server, url } = await start({ perIpConcurrency: 2 });
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    server.routes.add('POST', '/hook', async () => {
      await gate;
      return { status: 200, body: 'ok' };
    });
    const held = [fetch(`${url}/hook`, { method: 'POST' }), fetch(`${url}/hook`, { method: 'POST' })];
    let third: Response | null = null;
    for (let i = 0; i < 50 && third?.status !== 503; i++) {
      third = await fetch(`${url}/hook`, { method: 'POST' });
      if (third.status !== 503) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(third?.status).toBe(503);
    expect(await third?.json()).toEqual({
      error: 'too_many_requests_in_flight',
      reason: '2 requests from this address are in flight, its limit; try again shortly',
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    open();
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    expect((await fetch(`${url}/hook`, { method: 'POST' })).status).toBe(200);
  });

  it('takes its limits from router.yaml, and refuses a header timeout longer than the request timeout', () => {
    expect(routerFile.parse({}).server.limits).toEqual({
      headersTimeout: '10s',
      requestTimeout: '30s',
      maxConnections: 1000,
      perIpConcurrency: 50,
    });
    const bad = routerFile.safeParse({ server: { limits: { headersTimeout: '1m', requestTimeout: '30s' } } });
    expect(bad.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['server.limits.headersTimeout', 'headersTimeout cannot be longer than requestTimeout'],
    ]);
  });
});
