import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ChannelState } from '../../src/channel/index.ts';

const SECRET_KEY = 'visitorTokenSecret';
const VISITOR_ID = /^v_[A-Za-z0-9_-]{16}$/;

/**
 * Visitor tokens: `<visitorId>.<HMAC of the id>`, signed with a per-install
 * secret kept in the channel state, so a token cannot be forged and stays
 * valid across restarts without storing sessions anywhere.
 */
export class VisitorTokens {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  static async load(state: ChannelState): Promise<VisitorTokens> {
    let secret = await state.get<string>(SECRET_KEY);
    if (!secret) {
      await state.set(SECRET_KEY, randomBytes(32).toString('base64url'));
      // Read back: if another instance wrote first, everyone signs with its secret.
      secret = await state.get<string>(SECRET_KEY);
    }
    if (!secret) throw new Error('the web chat could not keep its token secret in the store');
    return new VisitorTokens(Buffer.from(secret, 'base64url'));
  }

  issue(): { visitorId: string; token: string } {
    const visitorId = `v_${randomBytes(12).toString('base64url')}`;
    return { visitorId, token: `${visitorId}.${this.#sign(visitorId)}` };
  }

  /** The visitor id a token was issued for, or null when it is missing, malformed or forged. */
  verify(token: string | null | undefined): string | null {
    if (!token) return null;
    const dot = token.indexOf('.');
    const visitorId = token.slice(0, dot);
    if (dot < 0 || !VISITOR_ID.test(visitorId)) return null;
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.#sign(visitorId));
    return given.length === expected.length && timingSafeEqual(given, expected) ? visitorId : null;
  }

  #sign(visitorId: string): string {
    return createHmac('sha256', this.#secret).update(`webchat-visitor:${visitorId}`).digest('base64url');
  }
}
