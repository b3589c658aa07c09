import { createHash, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Checks `Authorization: Bearer <token>` against the admin token. Both sides
 * are hashed first so the comparison takes the same time whatever the length.
 */
export function adminGuard(token: string): (authorization: string | undefined) => void {
  const expected = digest(token);
  return (authorization) => {
    if (!authorization) throw unauthorized('the admin API needs an "Authorization: Bearer <admin token>" header');
    const m = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!m) throw unauthorized('the Authorization header must be "Bearer <admin token>"');
    const ok = timingSafeEqual(digest(m[1] as string), expected);
    if (!ok || token === '') throw unauthorized('wrong admin token');
  };
}
