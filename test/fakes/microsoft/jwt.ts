import { createSign, createVerify, type KeyObject } from 'node:crypto';

/** RS256 JSON Web Tokens, made and checked with node:crypto alone (the fakes' side of the exchange). */

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function signJwt(payload: Record<string, unknown>, key: KeyObject, kid: string): string {
  const head = `${b64url({ alg: 'RS256', typ: 'JWT', kid, x5t: kid })}.${b64url(payload)}`;
  const signature = createSign('RSA-SHA256').update(head).sign(key).toString('base64url');
  return `${head}.${signature}`;
}

/** The token's claims when its RS256 signature holds under `key`; null otherwise. */
export function verifyJwt(token: string, key: KeyObject): Record<string, unknown> | null {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return null;
  try {
    const alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string }).alg;
    if (alg !== 'RS256') return null;
    const ok = createVerify('RSA-SHA256')
      .update(`${header}.${payload}`)
      .verify(key, Buffer.from(signature, 'base64url'));
    return ok ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
