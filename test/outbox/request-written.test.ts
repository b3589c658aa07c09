import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whenWritten } from '../../src/outbox/request-written.ts';

/** One POST to the test server, answered with 200. */
function post(url: string, body = 'x=1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a send told when its HTTP request is written', () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  let url = '';
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => {
    server.close();
  });

  it('tells it once, when its first request went out, not before', async () => {
    let told = 0;
    await whenWritten(
      () => told++,
      async () => {
        await new Promise((r) => setTimeout(r, 20));
        expect(told).toBe(0);
        await post(url);
        expect(told).toBe(1);
        await post(url);
      },
    );
    expect(told).toBe(1);
  });

  it('tells each send of its own request only, not of another one made alongside', async () => {
    const told: string[] = [];
    await Promise.all([
      whenWritten(
        () => told.push('a'),
        () => post(url),
      ),
      whenWritten(
        () => told.push('b'),
        async () => {},
      ),
      post(url),
    ]);
    expect(told).toEqual(['a']);
  });
});
