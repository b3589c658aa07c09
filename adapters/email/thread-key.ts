import { createHash } from 'node:crypto';

/**
 * Email thread keys: `email:<sender address>:<token>`, where the token is 16
 * hex characters of the SHA-256 of the thread's root Message-ID. The same
 * token rides in our Reply-To as a plus address (support+<token>@domain), so
 * a reply that lost its References still finds the thread.
 */

const PREFIX = 'email:';
const TOKEN = /^[0-9a-f]{16}$/;

export function threadToken(rootMessageId: string): string {
  return createHash('sha256').update(rootMessageId).digest('hex').slice(0, 16);
}

export function isThreadToken(text: string): boolean {
  return TOKEN.test(text);
}

export function threadKeyOf(sender: string, token: string): string {
  return `${PREFIX}${sender.toLowerCase()}:${token}`;
}

/** The sender and token of a key this adapter built, or null for anything else. */
export function parseThreadKey(key: string): { sender: string; token: string } | null {
  if (!key.startsWith(PREFIX)) return null;
  const cut = key.lastIndexOf(':');
  const sender = key.slice(PREFIX.length, cut);
  const token = key.slice(cut + 1);
  if (!sender.includes('@') || !isThreadToken(token)) return null;
  return { sender, token };
}

/** `support@shop.example` + token → `support+<token>@shop.example`. */
export function plusAddress(address: string, token: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}+${token}@${address.slice(at + 1)}`;
}

/** The token of the first recipient that is our address with a token we minted as its plus detail. */
export function tokenFromRecipients(recipients: readonly string[], ourAddress: string): string | null {
  const at = ourAddress.lastIndexOf('@');
  const local = ourAddress.slice(0, at).toLowerCase();
  const domain = ourAddress.slice(at + 1).toLowerCase();
  for (const r of recipients) {
    const rAt = r.lastIndexOf('@');
    if (rAt < 0 || r.slice(rAt + 1).toLowerCase() !== domain) continue;
    const rLocal = r.slice(0, rAt).toLowerCase();
    if (!rLocal.startsWith(`${local}+`)) continue;
    const detail = rLocal.slice(local.length + 1);
    if (isThreadToken(detail)) return detail;
  }
  return null;
}
