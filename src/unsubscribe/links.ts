import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { forbidden } from '../errors.ts';
import type { Store } from '../store/contract.ts';

/**
 * Signed unsubscribe links (RFC 8058 one-click) for marketing mail: the link
 * names the conversation the mail went out in and the channel to opt out of;
 * the signature (HMAC-SHA256) covers both and the expiry, so a link cannot be
 * pointed at another customer, another channel or stretched. It carries no
 * address: the conversation says whose it is.
 */
export const UNSUBSCRIBE_PATH = '/unsubscribe';
/** Mail is read long after it is sent: a link keeps working for a year. */
export const UNSUBSCRIBE_TTL_MS = 365 * 24 * 3_600_000;

export interface UnsubscribeLinks {
  /** The one-click URL for the conversation's customer on `channel`, valid for UNSUBSCRIBE_TTL_MS from now. */
  url(conversationId: string, channel: string): string;
  /** Checks a link; throws 403 with the reason when it is forged or expired. */
  verify(conversationId: string, query: URLSearchParams): { channel: string };
}

/** The signing key: TOUCHPOINT_UNSUBSCRIBE_KEY, else one generated once and kept in the store (shared by every router). */
export async function resolveUnsubscribeKey(store: Store, env = process.env): Promise<Buffer> {
  const fromEnv = env.TOUCHPOINT_UNSUBSCRIBE_KEY;
  if (fromEnv) return Buffer.from(fromEnv);
  const kept = await store.getState<string>('core', 'unsubscribeKey');
  if (kept) return Buffer.from(kept, 'base64url');
  const key = randomBytes(32);
  await store.setState('core', 'unsubscribeKey', key.toString('base64url'));
  return key;
}

export function createUnsubscribeLinks(o: { key: Buffer; publicUrl: string; clock: Clock }): UnsubscribeLinks {
  const sign = (conversationId: string, channel: string, expires: number) =>
    createHmac('sha256', o.key).update(`unsubscribe\n${conversationId}\n${channel}\n${expires}`).digest('base64url');
  const base = o.publicUrl.replace(/\/+$/, '');
  return {
    url(conversationId, channel) {
      const expires = Math.floor((o.clock.now() + UNSUBSCRIBE_TTL_MS) / 1000);
      const q = new URLSearchParams({ c: channel, e: String(expires), s: sign(conversationId, channel, expires) });
      return `${base}${UNSUBSCRIBE_PATH}/${encodeURIComponent(conversationId)}?${q}`;
    },
    verify(conversationId, query) {
      const channel = query.get('c') ?? '';
      const expires = Number(query.get('e'));
      const given = Buffer.from(query.get('s') ?? '');
      const wanted = Buffer.from(sign(conversationId, channel, expires));
      if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
        throw forbidden('this unsubscribe link is not one we signed');
      if (!Number.isInteger(expires) || expires * 1000 < o.clock.now())
        throw forbidden('this unsubscribe link has expired: reply to the mail with "unsubscribe" instead');
      return { channel };
    },
  };
}
