import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { formEncode, send } from '../../../adapters/twilio/api/transport.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  socket: number;
}

let server: Server | null = null;

/** A server that records each request and answers it, unless `answer` returns false (then never). */
async function serve(answer: (res: ServerResponse) => boolean = () => true) {
  const seen: Seen[] = [];
  const sockets = new Map<unknown, number>();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size);
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        socket: sockets.get(req.socket) ?? -1,
      });
      if (!answer(res)) return;
      res.writeHead(201, { 'content-type': 'application/json', 'retry-after': '3' });
      res.end('{"sid":"SM1"}');
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen };
}

afterEach(async () => {
  const s = server;
  server = null;
  if (!s?.listening) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
});

describe('the twilio transport', () => {
  it('posts the form with basic auth, a repeated key per array item, and returns status, raw body and headers', async () => {
    const { url, seen } = await serve();
    const res = await send({
      method: 'post',
      uri: `${url}/2010-04-01/Accounts/AC1/Messages.json`,
      username: 'AC1',
      password: 'secret',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'twilio-node' },
      data: { To: '+15550001111', Body: 'a b&c', MediaUrl: ['https://x.test/1', 'https://x.test/2'], Skip: undefined },
      timeoutMs: 5_000,
    });
    expect(res).toMatchObject({ statusCode: 201, body: '{"sid":"SM1"}' });
    expect(res.headers['retry-after']).toBe('3');
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('AC1:secret').toString('base64')}`);
    expect(seen[0]?.headers['user-agent']).toBe('twilio-node');
    const form = new URLSearchParams(seen[0]?.body);
    expect(form.getAll('MediaUrl')).toEqual(['https://x.test/1', 'https://x.test/2']);
    expect(form.get('Body')).toBe('a b&c');
    expect(form.has('Skip')).toBe(false);
  });

  it('puts params in the query string, after any the URI has', async () => {
    const { url, seen } = await serve();
    await send({ method: 'get', uri: `${url}/m.json?a=1`, params: { To: '+1555', PageSize: 50 }, timeoutMs: 5_000 });
    expect(seen[0]?.url).toBe('/m.json?a=1&To=%2B1555&PageSize=50');
  });

  it('keeps one connection alive across calls', async () => {
    const { url, seen } = await serve();
    for (let i = 0; i < 3; i++) await send({ method: 'get', uri: `${url}/x`, timeoutMs: 5_000 });
    expect(seen.map((s) => s.socket)).toEqual([0, 0, 0]);
  });

  it('aborts a call that is not answered in time, with a time-out error', async () => {
    const { url } = await serve(() => false);
    const err = await send({ method: 'post', uri: `${url}/x`, data: { a: 1 }, timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('rejects with the network error code when nothing listens', async () => {
    const { url } = await serve();
    server?.close();
    server?.closeAllConnections();
    const err = await send({ method: 'get', uri: `${url}/x`, timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('encodes null as an empty value', () => {
    expect(formEncode({ a: null, b: 2, c: true })).toBe('a=&b=2&c=true');
  });
});
