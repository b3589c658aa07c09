import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest, forbidden, type HttpRequest, unauthorized } from '../../../src/channel/index.ts';

const PREFIX = 'sha256=';

/**
 * Checks `X-Hub-Signature-256` (`sha256=<hex>`, HMAC-SHA256 of the raw body
 * with the app secret). 401 without a signature, 403 with a wrong one.
 */
export function verifySignature(req: HttpRequest, appSecret: string): void {
  const header = req.headers['x-hub-signature-256'];
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) throw unauthorized('missing X-Hub-Signature-256');
  if (!value.startsWith(PREFIX)) throw forbidden('X-Hub-Signature-256 must look like sha256=<hex>');
  const given = Buffer.from(value.slice(PREFIX.length), 'hex');
  const expected = createHmac('sha256', appSecret).update(req.rawBody).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw forbidden('invalid X-Hub-Signature-256: check the app secret');
  }
}

/** The subscription check: the challenge when the verify token matches, else 403. */
export function subscriptionChallenge(query: URLSearchParams, verifyToken: string): string {
  const mode = query.get('hub.mode');
  const token = query.get('hub.verify_token') ?? '';
  const challenge = query.get('hub.challenge');
  if (mode !== 'subscribe' || !challenge) {
    throw badRequest('expected hub.mode=subscribe with hub.verify_token and hub.challenge');
  }
  const a = Buffer.from(token);
  const b = Buffer.from(verifyToken);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw forbidden('hub.verify_token does not match');
  return challenge;
}
