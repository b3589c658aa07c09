import { createHash } from 'node:crypto';

/** Discord accepts nonces of at most 25 characters. */
export const MAX_NONCE = 25;

/**
 * The nonce of one part of an outbound message: the same outbox row (and
 * part) always gives the same nonce, so with `enforce_nonce` a retried send
 * returns the message already posted instead of posting it again. Outbox ids
 * are 22 characters today; hashing keeps the nonce short whatever they become.
 */
export function nonceFor(outboxId: string, part = 0): string {
  const digest = createHash('sha256').update(`${outboxId}#${part}`).digest('base64url');
  return `tp${digest.slice(0, MAX_NONCE - 2)}`;
}
