import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAuthenticator } from '../../src/access/principal.ts';
import { badRequest } from '../../src/errors.ts';
import { tooManyRequests } from '../../src/http/ip-rate-limit.ts';
import { jsonBody } from '../../src/http/json-body.ts';
import { silentLogger } from '../../src/log.ts';
import {
  ADMIN_TOKEN,
  capturingLogger,
  json,
  openSocket,
  readUntilClosed,
  startTestServer,
  type TestServer,
} from './helpers.ts';

let t: TestServer | null = null;
afterEach(async () => {
  await t?.server.close(1000);
  t = null;
});

async function start(o: Parameters<typeof startTestServer>[0] = { log: silentLogger }) {
  t = await startTestServer(o);
  return t;
}

describe('routing', () => {
  it('matches static routes and :param segments, decoding them', async () => {
    const { server, url } = await start();
    server.routes.add('GET', '/static', () => ({ status: 200, body: 'static' }));
    server.routes.add('GET', '/things/:id/parts/:part', (req) => ({ status: 200, body: req.params }));
    expect(await (await fetch(`${url}/static`)).text()).toBe('static');
    const res = await fetch(`${url}/things/a%20b/parts/7?x=1`);
    expect(await json(res)).toEqual({ id: 'a b', part: '7' });
  });

  it('answers 400 to a malformed percent-encoding in a parameter', async () => {
    const { server, url } = await start();
    server.routes.add('GET', '/things/:id', (req) => ({ status: 200, body: req.params }));
    const res = await fetch(`${url}/things/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect((await json(res)).reason).toMatch(/percent-encoding/);
  });

  it('answers 404 for an unknown path and 405 with Allow for a wrong method', async () => {
    const { server, url } = await start();
    server.routes.add('POST', '/hook', () => ({ status: 204 }));
    server.routes.add('PUT', '/hook', () => ({ status: 204 }));
    const missing = await fetch(`${url}/nope`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toEqual({ error: 'not_found', reason: 'no route for GET /nope' });
    const wrong = await fetch(`${url}/hook`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, PUT');
    expect((await json(wrong)).error).toBe('method_not_allowed');
  });

  it('falls through to a pattern when a static path lacks the method', async () => {
    const { server, url } = await start();
    server.routes.add('GET', '/forms/thanks', () => ({ status: 200, body: 'thanks page' }));
    server.routes.add('POST', '/forms/:id', (req) => ({ status: 200, body: req.params.id }));
    expect(await (await fetch(`${url}/forms/thanks`)).text()).toBe('thanks page');
    expect(await (await fetch(`${url}/forms/thanks`, { method: 'POST' })).text()).toBe('thanks');
    const wrong = await fetch(`${url}/forms/thanks`, { method: 'DELETE' });
    expect(wrong.headers.get('allow')).toBe('GET, POST');
  });

  it('answers HEAD from the GET route without a body', async () => {
    const { server, url } = await start();
    server.routes.add('GET', '/page', () => ({ status: 200, body: 'hello' }));
    const res = await fetch(`${url}/page`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('5');
    expect(await res.text()).toBe('');
  });

  it('refuses a route registered twice', async () => {
    const { server } = await start();
    server.routes.add('GET', '/a/:id', () => ({ status: 200 }));
    expect(() => server.routes.add('GET', '/a/:id', () => ({ status: 200 }))).toThrow(/twice/);
  });
});

describe('requests', () => {
  it('gives handlers the query, the raw body and the public URL built from the configured base', async () => {
    const { server, url } = await start({ log: silentLogger, publicUrl: 'https://hooks.example.com/' });
    server.routes.add('POST', '/hook', (req) => ({
      status: 200,
      body: { q: req.query.get('a'), raw: req.rawBody.toString('hex'), publicUrl: req.publicUrl, ip: req.ip },
    }));
    const res = await fetch(`${url}/hook?a=1&b=two`, { method: 'POST', body: Buffer.from([0xff, 0x00, 0x41]) });
    expect(await json(res)).toEqual({
      q: '1',
      raw: 'ff0041',
      publicUrl: 'https://hooks.example.com/hook?a=1&b=two',
      ip: '127.0.0.1',
    });
  });

  it('defaults the public URL to the listening address', async () => {
    const { server, url } = await start();
    server.routes.add('GET', '/hook', (req) => ({ status: 200, body: req.publicUrl }));
    expect(await (await fetch(`${url}/hook?x=1`)).text()).toBe(`${url}/hook?x=1`);
  });

  it('takes the client address from X-Forwarded-For only behind a trusted proxy', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' };
    const trusted = await startTestServer({ log: silentLogger, trustProxy: true });
    trusted.server.routes.add('GET', '/ip', (req) => ({ status: 200, body: req.ip }));
    expect(await (await fetch(`${trusted.url}/ip`, { headers })).text()).toBe('203.0.113.7');
    await trusted.server.close(100);
    const { server, url } = await start();
    server.routes.add('GET', '/ip', (req) => ({ status: 200, body: req.ip }));
    expect(await (await fetch(`${url}/ip`, { headers })).text()).toBe('127.0.0.1');
  });

  it('answers 413 beyond the route body cap, declared or streamed, and accepts up to it', async () => {
    const { server, url } = await start();
    server.routes.add('POST', '/small', (req) => ({ status: 200, body: { size: req.rawBody.length } }), {
      maxBodyBytes: 100,
    });
    const ok = await fetch(`${url}/small`, { method: 'POST', body: 'x'.repeat(100) });
    expect(await json(ok)).toEqual({ size: 100 });

    const declared = await fetch(`${url}/small`, { method: 'POST', body: 'x'.repeat(101) });
    expect(declared.status).toBe(413);
    expect((await json(declared)).error).toBe('payload_too_large');

    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url}/small`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('y'.repeat(80));
      req.end('y'.repeat(80));
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).error).toBe('payload_too_large');
  });

  it('maps HttpErrors to their status and anything else to a logged 500, and stays up', async () => {
    const { log, lines } = capturingLogger();
    const { server, url } = await start({ log });
    server.routes.add('GET', '/bad', () => {
      throw badRequest('the widget is upside down');
    });
    server.routes.add('GET', '/slow-down', () => {
      throw tooManyRequests(2500);
    });
    server.routes.add('GET', '/boom', async () => {
      throw new Error('secret database detail');
    });
    const bad = await fetch(`${url}/bad`);
    expect(bad.status).toBe(400);
    expect(await json(bad)).toEqual({ error: 'bad_request', reason: 'the widget is upside down' });

    const slow = await fetch(`${url}/slow-down`);
    expect(slow.status).toBe(429);
    expect(slow.headers.get('retry-after')).toBe('3');

    const boom = await fetch(`${url}/boom`);
    expect(boom.status).toBe(500);
    const body = await json(boom);
    expect(body.error).toBe('internal');
    expect(JSON.stringify(body)).not.toContain('secret');
    expect(lines.some((l) => (l.err as { message?: string } | undefined)?.message === 'secret database detail')).toBe(
      true,
    );
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('answers 400 to malformed or wrongly shaped JSON and keeps serving', async () => {
    const { server, url } = await start();
    const shape = z.object({ text: z.string() }).strict();
    server.routes.add('POST', '/json', (req) => ({ status: 200, body: jsonBody(req, shape) }));
    const malformed = await fetch(`${url}/json`, { method: 'POST', body: '{"text": ' });
    expect(malformed.status).toBe(400);
    expect(await json(malformed)).toMatchObject({
      error: 'invalid_json',
      reason: expect.stringMatching(/not valid JSON/),
    });
    const wrong = await fetch(`${url}/json`, { method: 'POST', body: '{"text": 5}' });
    expect(wrong.status).toBe(400);
    expect((await json(wrong)).reason).toMatch(/^body\.text: /);
    const empty = await fetch(`${url}/json`, { method: 'POST' });
    expect(empty.status).toBe(400);
    const good = await fetch(`${url}/json`, { method: 'POST', body: '{"text":"hi"}' });
    expect(await json(good)).toEqual({ text: 'hi' });
  });

  it('lets a handler take over the response', async () => {
    const { server, url } = await start();
    server.routes.add('GET', '/own', () => ({
      takeover: (res) => {
        res.writeHead(202, { 'x-own': 'yes' });
        res.end('mine');
      },
    }));
    const res = await fetch(`${url}/own`);
    expect(res.status).toBe(202);
    expect(res.headers.get('x-own')).toBe('yes');
    expect(await res.text()).toBe('mine');
  });
});

describe('admin routes', () => {
  it('require the admin bearer token', async () => {
    const { server, url } = await start();
    server.routes.add('GET', '/api/secret', () => ({ status: 200, body: { ok: true } }), { auth: 'admin' });
    const none = await fetch(`${url}/api/secret`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await json(none)).reason).toMatch(/Authorization: Bearer/);
    const basic = await fetch(`${url}/api/secret`, { headers: { authorization: 'Basic abc' } });
    expect((await json(basic)).reason).toMatch(/must be "Bearer/);
    const wrong = await fetch(`${url}/api/secret`, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).reason).toBe('the token is unknown, revoked or replaced by a rotation');
    const right = await fetch(`${url}/api/secret`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(await json(right)).toEqual({ ok: true });
  });
});

describe('health', () => {
  it('answers /healthz always and /readyz only once ready', async () => {
    const { url, setReady } = await start();
    setReady(false);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const starting = await fetch(`${url}/readyz`);
    expect(starting.status).toBe(503);
    expect(await json(starting)).toEqual({ status: 'starting' });
    setReady(true);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });
});

describe('listen', () => {
  it('fails with a clear error when the port is taken', async () => {
    const { url } = await start();
    const { createHttpServer } = await import('../../src/server/http-server.ts');
    const other = createHttpServer({
      host: '127.0.0.1',
      port: Number(new URL(url).port),
      trustProxy: false,
      authenticate: createAuthenticator({ bootstrapToken: ADMIN_TOKEN }),
      log: silentLogger,
      isReady: () => true,
    });
    await expect(other.listen()).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });
});

describe('raw protocol', () => {
  it('answers a request line it cannot parse with 400 and keeps serving', async () => {
    const { url } = await start();
    const s = await openSocket(url);
    const reply = readUntilClosed(s);
    s.write('NOT HTTP AT ALL\r\n\r\n');
    expect(await reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
