import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AgentTokenRecord } from '../store/access-records.ts';

/**
 * Agent API tokens: `tp_<lookup id>.<secret>`. The lookup id finds the row;
 * the secret is kept only as an HMAC-SHA256 keyed with a salt of its own, so
 * a copy of the database gives no usable token. Shown once, when issued.
 */
const PREFIX = 'tp_';

export function issueToken(agentId: string, now: number): { token: string; record: AgentTokenRecord } {
  const id = randomBytes(9).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16).toString('hex');
  return {
    token: `${PREFIX}${id}.${secret}`,
    record: { id, agentId, salt, hash: keyedHash(salt, secret), createdAt: now, revokedAt: null },
  };
}

/** The lookup id and secret of a presented token, or null when it does not have a token's shape. */
export function parseToken(token: string): { id: string; secret: string } | null {
  if (!token.startsWith(PREFIX)) return null;
  const dot = token.indexOf('.', PREFIX.length);
  if (dot === -1) return null;
  const id = token.slice(PREFIX.length, dot);
  const secret = token.slice(dot + 1);
  return id && secret ? { id, secret } : null;
}

export function secretMatches(record: AgentTokenRecord, secret: string): boolean {
  const expected = Buffer.from(record.hash, 'hex');
  const given = Buffer.from(keyedHash(record.salt, secret), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function keyedHash(salt: string, secret: string): string {
  return createHmac('sha256', salt).update(secret).digest('hex');
}
