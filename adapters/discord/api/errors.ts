import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { permanent, rateLimited, SendError, transient, uncertain } from '../../../src/channel/index.ts';

/** Discord JSON error codes this adapter names in its messages. */
export const DISCORD = {
  unknownChannel: 10003,
  missingAccess: 50001,
  /** The user does not accept DMs from the bot (no shared server, or DMs closed). */
  cannotDmUser: 50007,
  missingPermissions: 50013,
} as const;

/** Used when a 429 says nothing about when to retry. */
const DEFAULT_RETRY_MS = 1_000;

/**
 * Sorts a failed REST call into the outbox's three kinds. The REST client is
 * built with `rejectOnRateLimit`, so a rate limit arrives here as a
 * RateLimitError (before the request when the bucket is known to be empty, or
 * after a 429) and the outbox, not discord.js, does the waiting.
 */
export function toSendError(err: unknown): SendError {
  if (err instanceof SendError) return err;
  if (err instanceof RateLimitError) {
    const wait = err.retryAfter > 0 ? err.retryAfter : err.timeToReset;
    return rateLimited(
      `Discord rate limit on ${err.route}${err.global ? ' (global)' : ''}`,
      Math.max(1, Math.ceil(wait)) || DEFAULT_RETRY_MS,
      429,
      // The global limit counts every request of the bot, whatever the channel.
      err.global ? 'account' : 'destination',
    );
  }
  if (err instanceof DiscordAPIError) {
    const what = `Discord answered ${err.status} (code ${err.code}): ${err.message}`;
    if (err.status === 429) return rateLimited(what, retryAfterOf(err.rawError) ?? DEFAULT_RETRY_MS, err.code);
    if (err.code === DISCORD.cannotDmUser)
      return permanent(`the user does not accept direct messages; ${what}`, err.code, err);
    if (err.status >= 500) return transient(what, err, err.code);
    return permanent(what, err.code, err);
  }
  if (err instanceof HTTPError) {
    const what = `Discord answered ${err.status}: ${err.message}`;
    return err.status >= 500 ? transient(what, err, err.status) : permanent(what, err.status, err);
  }
  const reason = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown; cause?: { code?: unknown } } | null)?.cause?.code;
  // Refused before anything was written; otherwise (a time-out, a reset) the post may have been made.
  if (code === 'ECONNREFUSED') return transient(`Discord could not be reached: ${reason}`, err);
  return uncertain(`Discord could not be reached: ${reason}`, err);
}

function retryAfterOf(raw: unknown): number | null {
  const seconds = (raw as { retry_after?: unknown } | null)?.retry_after;
  return typeof seconds === 'number' && seconds >= 0 ? Math.ceil(seconds * 1000) : null;
}
