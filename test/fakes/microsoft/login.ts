import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { signJwt, verifyJwt } from './jwt.ts';

/**
 * Microsoft's two sign-in services for Bot Framework, on 127.0.0.1 under
 * their real names, so botbuilder runs with its production settings:
 * login.botframework.com publishes the OpenID metadata and signing keys
 * (with channel endorsements) that tokens on incoming activities are checked
 * against, and login.microsoftonline.com issues the bot's own access tokens
 * (client credentials, as MSAL asks for them). HTTPS with a test CA the
 * process trusts while the fake runs; connections to those two hosts on port
 * 443 are sent to the fake instead (tls.connect is wrapped), nothing else.
 */

export const CHANNEL_ISSUER = 'https://api.botframework.com';
export const CONNECTOR_AUDIENCE = 'https://api.botframework.com';
const HOSTS = new Set(['login.botframework.com', 'login.microsoftonline.com']);
const TENANT_ID = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

interface Keys {
  channel: { privateKey: KeyObject; publicKey: KeyObject; kid: string };
  aad: { privateKey: KeyObject; publicKey: KeyObject; kid: string };
}

function keyPair(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
  return { ...generateKeyPairSync('rsa', { modulusLength: 2048 }), kid: randomBytes(12).toString('base64url') };
}

/** A CA and a server certificate for both hosts, made with the openssl command. */
function certificates(): { ca: string; key: string; cert: string } {
  const work = mkdtempSync(join(tmpdir(), 'tp-mslogin-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: 'pipe' });
  try {
    const ca = ['-subj', '/CN=Touchpoint test CA', '-addext', 'basicConstraints=critical,CA:TRUE'];
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      ...ca,
    );
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=login');
    const names = [...HOSTS].map((h) => `DNS:${h}`).join(',');
    writeFileSync(join(work, 'ext.cnf'), `subjectAltName=${names}\nextendedKeyUsage=serverAuth\n`);
    const sign = ['-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-extfile', 'ext.cnf', '-days', '2'];
    openssl('x509', '-req', '-in', 'srv.csr', '-out', 'srv.pem', ...sign);
    const read = (f: string) => readFileSync(join(work, f), 'utf8');
    return { ca: read('ca.pem'), key: read('srv.key'), cert: read('srv.pem') };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

type Connect = typeof tls.connect;

export class FakeMicrosoftLogin {
  /** Access tokens issued by the client-credentials endpoint. */
  tokensIssued = 0;
  /** Token requests refused (unknown client, wrong secret, wrong scope). */
  tokensRefused = 0;
  readonly #keys: Keys = { channel: keyPair(), aad: keyPair() };
  readonly #clients: Map<string, string>;
  readonly #endorsements: string[];
  readonly #server: Server;
  readonly #ca: string;
  #restore: (() => void) | null = null;

  private constructor(o: { clients: Record<string, string>; endorsements: string[] }) {
    this.#clients = new Map(Object.entries(o.clients));
    this.#endorsements = o.endorsements;
    const { ca, key, cert } = certificates();
    this.#ca = ca;
    this.#server = createServer({ key, cert }, (req, res) => {
      this.#handle(req, res).catch((err: unknown) =>
        json(res, 500, { error: 'server_error', error_description: String(err) }),
      );
    });
  }

  /**
   * Starts the services and sends this process's TLS connections for the two
   * hosts to them. `clients`: app id → client secret; `endorsements`: the
   * channels the signing key is endorsed for (an activity's channelId must be one).
   */
  static async start(o: { clients: Record<string, string>; endorsements?: string[] }): Promise<FakeMicrosoftLogin> {
    const fake = new FakeMicrosoftLogin({
      clients: o.clients,
      endorsements: o.endorsements ?? ['msteams', 'webchat', 'emulator'],
    });
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#intercept((fake.#server.address() as AddressInfo).port);
    return fake;
  }

  /** A token the Bot Connector service puts on an activity it posts to the bot. */
  channelToken(o: {
    appId: string;
    serviceUrl: string;
    now?: number;
    expiresInS?: number;
    signedBy?: 'channel' | 'other';
  }): string {
    const iat = Math.floor((o.now ?? Date.now()) / 1000);
    const key = o.signedBy === 'other' ? keyPair() : this.#keys.channel;
    return signJwt(
      {
        iss: CHANNEL_ISSUER,
        aud: o.appId,
        serviceurl: o.serviceUrl,
        nbf: iat - 5,
        iat,
        exp: iat + (o.expiresInS ?? 3600),
      },
      key.privateKey,
      this.#keys.channel.kid,
    );
  }

  /** Whether an Authorization header carries an unexpired access token this service issued to `appId` for the connector. */
  acceptsConnectorToken(authorization: string | null, appId: string): boolean {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    const claims = token ? verifyJwt(token, this.#keys.aad.publicKey) : null;
    return (
      claims !== null &&
      claims.aud === CONNECTOR_AUDIENCE &&
      claims.appid === appId &&
      typeof claims.exp === 'number' &&
      claims.exp * 1000 > Date.now()
    );
  }

  async stop(): Promise<void> {
    this.#restore?.();
    this.#restore = null;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #intercept(port: number): void {
    const original: Connect = tls.connect;
    const defaults = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...defaults, this.#ca]);
    const redirected = ((...args: unknown[]) => {
      const target = args[0] as tls.ConnectionOptions | undefined;
      if (typeof target === 'object' && target !== null && HOSTS.has(String(target.host))) {
        if (Number(target.port ?? 443) === 443) {
          args[0] = { ...target, host: '127.0.0.1', port, servername: String(target.host) };
        }
      }
      return (original as (...a: unknown[]) => tls.TLSSocket)(...args);
    }) as Connect;
    tls.connect = redirected;
    this.#restore = () => {
      tls.connect = original;
      tls.setDefaultCACertificates(defaults);
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = String(req.headers.host ?? '').split(':')[0];
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (host === 'login.botframework.com') return this.#botframework(res, path);
    if (host === 'login.microsoftonline.com')
      return this.#aad(res, req.method ?? 'GET', path, Buffer.concat(chunks).toString('utf8'));
    json(res, 404, { error: 'not_found' });
  }

  #botframework(res: ServerResponse, path: string) {
    if (path === '/v1/.well-known/openidconfiguration') {
      return json(res, 200, {
        issuer: CHANNEL_ISSUER,
        authorization_endpoint: 'https://invalid.botframework.com',
        jwks_uri: 'https://login.botframework.com/v1/.well-known/keys',
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    }
    if (path === '/v1/.well-known/keys') {
      const { kid, publicKey } = this.#keys.channel;
      const { n, e } = publicKey.export({ format: 'jwk' });
      return json(res, 200, {
        keys: [{ kty: 'RSA', use: 'sig', kid, x5t: kid, n, e, endorsements: this.#endorsements }],
      });
    }
    json(res, 404, { error: 'not_found' });
  }

  #aad(res: ServerResponse, method: string, path: string, body: string) {
    const tenant = /^\/([^/]+)\//.exec(path)?.[1] ?? 'common';
    const base = `https://login.microsoftonline.com/${tenant}`;
    if (method === 'GET' && path === `/${tenant}/v2.0/.well-known/openid-configuration`) {
      return json(res, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        issuer: `https://login.microsoftonline.com/${TENANT_ID}/v2.0`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      });
    }
    if (method === 'POST' && path === `/${tenant}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(body);
      const id = form.get('client_id') ?? '';
      const refuse = (error: string, description: string) => {
        this.tokensRefused += 1;
        json(res, 401, { error, error_description: description, error_codes: [7000215] });
      };
      if (form.get('grant_type') !== 'client_credentials') return refuse('unsupported_grant_type', 'AADSTS70003');
      if (!this.#clients.has(id) || this.#clients.get(id) !== form.get('client_secret'))
        return refuse('invalid_client', 'AADSTS7000215: Invalid client secret provided.');
      if (form.get('scope') !== `${CONNECTOR_AUDIENCE}/.default`) return refuse('invalid_scope', 'AADSTS70011');
      const iat = Math.floor(Date.now() / 1000);
      const claims = {
        aud: CONNECTOR_AUDIENCE,
        iss: `https://sts.windows.net/${TENANT_ID}/`,
        appid: id,
        tid: TENANT_ID,
        iat,
        nbf: iat,
        exp: iat + 3600,
      };
      this.tokensIssued += 1;
      return json(res, 200, {
        token_type: 'Bearer',
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: signJwt(claims, this.#keys.aad.privateKey, this.#keys.aad.kid),
      });
    }
    json(res, 404, { error: 'not_found' });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
