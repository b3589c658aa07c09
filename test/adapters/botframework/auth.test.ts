import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { activity, startBot } from './support.ts';

/**
 * Authentication on (an app id): tokens are checked against the signing keys
 * an OpenID metadata document names, served here by a local fake in Microsoft's
 * shape. Every way a token can fail, the metadata being out of reach included,
 * answers 401 and stores nothing.
 */
const APP_ID = 'app-0000-test';
const ISSUER = 'https://api.botframework.com';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function token(key: KeyObject, claims: Record<string, unknown>, kid = 'key-1'): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key);
  return `${head}.${body}.${b64url(signature)}`;
}

function keyPair() {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** The OpenID metadata document and its key set; `status` other than 200 answers every request with it. */
async function startOpenId(publicKey: KeyObject, status = 200) {
  const jwk = publicKey.export({ format: 'jwk' });
  let url = '';
  const server: Server = createServer((req, res) => {
    if (status !== 200) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/metadata') res.end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${url}/keys` }));
    else res.end(JSON.stringify({ keys: [{ kty: 'RSA', use: 'sig', kid: 'key-1', n: jwk.n, e: jwk.e }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    metadata: `${url}/metadata`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Bot Framework with authentication on', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function bot(metadata: string) {
    const b = await startBot({ appId: APP_ID, appPassword: 'secret', openIdMetadataUrl: metadata });
    closers.push(() => b.close());
    const claims = (o: Record<string, unknown> = {}) => ({
      iss: ISSUER,
      aud: APP_ID,
      serviceurl: `${b.service.url}/`,
      nbf: Math.floor(Date.now() / 1000) - 60,
      exp: Math.floor(Date.now() / 1000) + 600,
      ...o,
    });
    const send = (auth: string | null, body = activity(`${b.service.url}/`, { channelId: 'msteams' })) =>
      b.post(body, auth === null ? {} : { authorization: auth });
    return { b, claims, send };
  }

  it('stores an activity whose token the published key signed', async () => {
    const keys = keyPair();
    const openId = await startOpenId(keys.publicKey);
    closers.push(openId.close);
    const { b, claims, send } = await bot(openId.metadata);
    const res = await send(`Bearer ${token(keys.privateKey, claims())}`);
    expect(res.status).toBe(200);
    expect(b.stored().map((e) => e.text)).toEqual(['How much is a loaf?']);
  });

  it('answers 401 to a missing, malformed, foreign, expired or misaddressed token', async () => {
    const keys = keyPair();
    const openId = await startOpenId(keys.publicKey);
    closers.push(openId.close);
    const { b, claims, send } = await bot(openId.metadata);
    const foreign = keyPair().privateKey;
    const answers = [
      await send(null),
      await send('Bearer not-a-token'),
      await send(`Basic ${b64url('user:pass')}`),
      await send(`Bearer ${token(foreign, claims())}`),
      await send(`Bearer ${token(keys.privateKey, claims(), 'unknown-key')}`),
      await send(`Bearer ${token(keys.privateKey, claims({ exp: Math.floor(Date.now() / 1000) - 3600 }))}`),
      await send(`Bearer ${token(keys.privateKey, claims({ aud: 'another-app' }))}`),
      await send(`Bearer ${token(keys.privateKey, claims({ serviceurl: 'https://elsewhere.example/' }))}`),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 401, 401, 401]);
    expect(JSON.parse(answers[3]?.text ?? '{}')).toMatchObject({ error: 'unauthorized', reason: expect.any(String) });
    expect(b.ingestCalls).toEqual([]);
    expect(b.unreadable).toEqual([]);
  });

  it.each([
    ['answers with an error', 503],
    ['cannot be reached at all', 0],
  ])('answers 401 when the OpenID metadata %s', async (_case, status) => {
    const keys = keyPair();
    const openId = await startOpenId(keys.publicKey, status || 200);
    if (status === 0) await openId.close();
    else closers.push(openId.close);
    const { b, claims, send } = await bot(openId.metadata);
    expect((await send(`Bearer ${token(keys.privateKey, claims())}`)).status).toBe(401);
    expect(b.ingestCalls).toEqual([]);
  });

  it('keeps an authenticated message it cannot read, answering 200', async () => {
    const keys = keyPair();
    const openId = await startOpenId(keys.publicKey);
    closers.push(openId.close);
    const { b, claims, send } = await bot(openId.metadata);
    const odd = { ...activity(`${b.service.url}/`, { channelId: 'msteams' }), from: 'nobody' };
    const res = await send(`Bearer ${token(keys.privateKey, claims())}`, odd as never);
    expect(res.status).toBe(200);
    expect(b.stored()).toEqual([]);
    expect(b.unreadable).toEqual([{ reason: expect.stringMatching(/^ZodError/), payload: JSON.stringify(odd) }]);
  });
});
