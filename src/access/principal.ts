import { createHash, timingSafeEqual } from 'node:crypto';
import { forbidden, unauthorized } from '../errors.ts';
import type { Principal } from '../http/http-types.ts';
import type { AccessTx } from '../store/access-records.ts';
import type { By } from './audit.ts';
import { parseToken, secretMatches } from './tokens.ts';

/**
 * THE authentication of the API: a request's credentials → who is asking
 * (agent id, display name, role, where from), or null. Every authenticated
 * route goes through it (src/server/http-server.ts); roles are checked there
 * against the route's `auth`.
 */
export type Authenticate = (req: {
  headers: Record<string, string | string[] | undefined>;
}) => Promise<Principal | null>;

/** The bootstrap admin token (TOUCHPOINT_ADMIN_TOKEN or router.yaml) acts as this admin. */
export const BOOTSTRAP_ADMIN: Principal = { agentId: 'admin', name: 'Admin', role: 'admin', via: 'api' };

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer tokens: the bootstrap admin token, else an agent's own token
 * (looked up by its id, checked against its salted hash, refused once
 * revoked or rotated).
 */
export function createAuthenticator(o: { bootstrapToken: string; accounts?: AccessTx }): Authenticate {
  const bootstrap = digest(o.bootstrapToken);
  return async (req) => {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header) : null;
    const token = m?.[1];
    if (!token) return null;
    // Both sides hashed first, so the comparison takes the same time whatever the length.
    if (o.bootstrapToken !== '' && timingSafeEqual(digest(token), bootstrap)) return BOOTSTRAP_ADMIN;
    const parsed = parseToken(token);
    if (!parsed || !o.accounts) return null;
    const record = await o.accounts.getAgentToken(parsed.id);
    if (!record || record.revokedAt !== null || !secretMatches(record, parsed.secret)) return null;
    const agent = await o.accounts.getAgent(record.agentId);
    return agent ? { agentId: agent.id, name: agent.name, role: agent.role, via: 'api' } : null;
  };
}

/**
 * Whom an API request acts as: its principal; an admin may name another
 * agent (`by`, `agent` in the body: scripts acting for a person), an agent's
 * token acts only as that agent (else 403 with the reason).
 */
export function actingAs(principal: Principal | null, named: string | undefined): Exclude<By, string> {
  if (!principal) throw unauthorized('this route needs an authenticated request');
  if (named === undefined || named === principal.agentId) return principal;
  if (principal.role !== 'admin')
    throw forbidden(`an agent's token acts only as its agent: "${principal.agentId}" cannot act as "${named}"`);
  return { agentId: named, via: principal.via };
}
