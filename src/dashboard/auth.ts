import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { HttpRequest } from '../http/http-types.ts';
import type { Store } from '../store/contract.ts';

/** Who is signed in. Agents (issue 13) sign in with their own tokens and get the `agent` role. */
export interface Principal {
  /** The agent account (the audit log's who); absent in sessions signed in before accounts had ids. */
  agentId?: string;
  name: string;
  role: 'admin' | 'agent';
}

/** Whose token this is, or null: the one place a new kind of token (agent accounts) plugs in. */
export type TokenCheck = (token: string) => Principal | null | Promise<Principal | null>;

export interface Session {
  principal: Principal;
  /** Sent back with every form; a POST without it is refused (CSRF). */
  csrf: string;
  expiresAt: number;
}

export const SESSION_COOKIE = 'tp_session';
export const SESSION_MS = 12 * 3_600_000;
/** Sessions are kept in the store (so a restart or another instance keeps them), under a hash of their id. */
const SCOPE = 'dashboard.session';

const digest = (s: string) => createHash('sha256').update(s).digest();
const key = (id: string) => digest(id).toString('base64url');

/** Equal strings, compared in the same time whatever they hold. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b)) && a !== '';
}

/** The admin token signs in as the admin. */
export function adminTokenCheck(adminToken: string): TokenCheck {
  return (token) =>
    adminToken !== '' && sameSecret(token, adminToken) ? { agentId: 'admin', name: 'admin', role: 'admin' } : null;
}

export function cookieOf(req: HttpRequest, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** HttpOnly and SameSite=Strict always; Secure when the router is reached over https. */
export function setCookie(req: HttpRequest, name: string, value: string, maxAgeMs: number): string {
  const secure = req.publicUrl.startsWith('https:') ? '; Secure' : '';
  return `${name}=${value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure}`;
}

export interface Auth {
  /** request → principal: the session the request's cookie names, while it lasts. */
  session(req: HttpRequest): Promise<Session | null>;
  /** Checks a token; on success stores a new session and returns its cookie. */
  signIn(req: HttpRequest, token: string): Promise<{ principal: Principal; cookie: string } | null>;
  /** Ends the request's session; returns the cookie that clears it. */
  signOut(req: HttpRequest): Promise<string>;
}

export function createAuth(o: { store: Store; clock: Clock; check: TokenCheck }): Auth {
  const { store, clock } = o;
  return {
    async session(req) {
      const id = cookieOf(req, SESSION_COOKIE);
      if (!id) return null;
      const s = await store.getState<Session>(SCOPE, key(id));
      if (!s) return null;
      if (s.expiresAt <= clock.now()) {
        await store.setState(SCOPE, key(id), null);
        return null;
      }
      return s;
    },
    async signIn(req, token) {
      const principal = await o.check(token);
      if (!principal) return null;
      const id = randomBytes(32).toString('base64url');
      const session: Session = {
        principal,
        csrf: randomBytes(24).toString('base64url'),
        expiresAt: clock.now() + SESSION_MS,
      };
      await store.setState(SCOPE, key(id), session);
      return { principal, cookie: setCookie(req, SESSION_COOKIE, id, SESSION_MS) };
    },
    async signOut(req) {
      const id = cookieOf(req, SESSION_COOKIE);
      if (id) await store.setState(SCOPE, key(id), null);
      return setCookie(req, SESSION_COOKIE, '', 0);
    },
  };
}
