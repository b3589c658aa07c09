import { lookup as systemLookup } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlockedAddress } from '../../src/channel/address-guard.ts';
import { type FetchLimits, type MediaSource, safeFetch } from '../../src/channel/safe-fetch.ts';
import { MediaError } from '../../src/errors.ts';

const photo = Buffer.from('\xff\xd8\xff photo bytes', 'latin1');
const seenAuth: Array<string | undefined> = [];
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    seenAuth.push(req.headers.authorization);
    const path = req.url ?? '/';
    const to = (location: string) => res.writeHead(302, { location }).end();
    if (path === '/photo.jpg') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
    if (path === '/page') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    if (path === '/big') {
      return res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': 2_000 }).end(Buffer.alloc(2_000));
    }
    if (path === '/big-chunked') {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 20; i++) res.write(Buffer.alloc(100));
      return res.end();
    }
    if (path === '/to-metadata') return to('http://169.254.169.254/latest/meta-data/');
    if (path === '/to-loopback') return to(`http://127.0.0.1:${port}/photo.jpg`);
    if (path === '/to-other-host') return to(`http://media.test:${port}/photo.jpg`);
    if (path === '/loop') return to('/loop');
    if (path === '/busy') return res.writeHead(503).end();
    return res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A resolver with a few made-up provider names, the system's for the rest. */
const fakeDns = (names: Record<string, string>): typeof systemLookup =>
  ((hostname: string, options: object, callback: (...a: unknown[]) => void) => {
    const address = names[hostname];
    if (address) return callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
    return systemLookup(hostname, options as never, callback as never);
  }) as unknown as typeof systemLookup;

const limits = (o: Partial<FetchLimits> = {}): FetchLimits => ({
  maxBytes: 1_000,
  timeoutMs: 5_000,
  maxRedirects: 2,
  testHosts: ['localhost', 'media.test'],
  lookup: fakeDns({ 'media.test': '127.0.0.1' }),
  ...o,
});
const meta = (url: string, o: Partial<MediaSource> = {}): MediaSource => ({
  url,
  headers: { authorization: 'Bearer page-token' },
  hosts: ['*.fbcdn.net', 'lookaside.fbsbx.com'],
  types: ['image/*', 'application/pdf'],
  ...o,
});

async function refusal(source: MediaSource, l = limits()): Promise<MediaError> {
  const err = await safeFetch(source, l).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MediaError);
  return err as MediaError;
}

describe('safeFetch', () => {
  it('fetches a file of an allowed type from an allowed host, with the provider credentials', async () => {
    seenAuth.length = 0;
    const got = await safeFetch(meta(`http://localhost:${port}/photo.jpg`), limits());
    expect(got.bytes.equals(photo)).toBe(true);
    expect(got.contentType).toBe('image/jpeg');
    expect(seenAuth).toEqual(['Bearer page-token']);
  });

  it.each([
    ['loopback', 'https://127.0.0.1/photo.jpg', /host 127.0.0.1 is not one of this channel's/],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/', /host 169.254.169.254 is not/],
    ['cloud metadata over https', 'https://169.254.169.254/latest/meta-data/', /host 169.254.169.254 is not/],
    ['another host', 'https://evil.example.com/x.jpg', /host evil.example.com is not one of this channel's/],
    ['credentials in the URL', 'https://user:pw@scontent.fbcdn.net/x.jpg', /credentials/],
    ['not a URL', 'not a url', /not a URL/],
    ['plain http', 'http://scontent.fbcdn.net/x.jpg', /http: URL refused/],
  ])('refuses %s (%s)', async (_, url, reason) => {
    const err = await refusal(meta(url));
    expect(err.final).toBe(true);
    expect(err.message).toMatch(reason);
  });

  it('refuses a provider host whose DNS answer is private, loopback or link-local', async () => {
    for (const address of ['10.1.2.3', '127.0.0.1', '169.254.169.254', '::1', '::ffff:192.168.1.1', 'fd00::1']) {
      const err = await refusal(
        meta('https://scontent.fbcdn.net/photo.jpg'),
        limits({ lookup: fakeDns({ 'scontent.fbcdn.net': address }) }),
      );
      expect(err.message).toContain(`resolves to ${address}, which is not public`);
    }
  });

  it('refuses an IP literal even when a channel lists it as a host', async () => {
    const err = await refusal(meta('https://10.0.0.8/x.jpg', { hosts: ['10.0.0.8'] }));
    expect(err.message).toMatch(/address 10.0.0.8 is not public/);
  });

  it('checks every redirect again: to the metadata service, to loopback', async () => {
    expect((await refusal(meta(`http://localhost:${port}/to-metadata`))).message).toMatch(
      /host 169.254.169.254 is not/,
    );
    expect((await refusal(meta(`http://localhost:${port}/to-loopback`))).message).toMatch(/host 127.0.0.1 is not/);
  });

  it('follows a limited number of redirects, without the credentials past the first host', async () => {
    seenAuth.length = 0;
    const got = await safeFetch(meta(`http://localhost:${port}/to-other-host`), limits());
    expect(got.bytes.equals(photo)).toBe(true);
    expect(seenAuth).toEqual(['Bearer page-token', undefined]);
    expect((await refusal(meta(`http://localhost:${port}/loop`))).message).toMatch(/more than 2 redirects/);
  });

  it('refuses an oversized file, declared or streamed, and a type the channel does not take', async () => {
    expect((await refusal(meta(`http://localhost:${port}/big`))).message).toMatch(/2000 bytes, over the 1000/);
    expect((await refusal(meta(`http://localhost:${port}/big-chunked`))).message).toMatch(/over the 1000 bytes/);
    expect((await refusal(meta(`http://localhost:${port}/photo.jpg`, { maxBytes: 5 }))).message).toMatch(/over the 5/);
    expect((await refusal(meta(`http://localhost:${port}/page`))).message).toMatch(/content type text\/html/);
  });

  it('tells a passing failure (503) from a final one (404)', async () => {
    expect((await refusal(meta(`http://localhost:${port}/busy`))).final).toBe(false);
    expect((await refusal(meta(`http://localhost:${port}/missing`))).final).toBe(true);
  });
});

describe('isBlockedAddress', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    '::ffff:127.0.0.1',
    'x',
  ])('blocks %s', (a) => expect(isBlockedAddress(a)).toBe(true));
  it.each(['8.8.8.8', '52.95.110.1', '2606:4700::1111'])('lets %s through', (a) =>
    expect(isBlockedAddress(a)).toBe(false),
  );
});
