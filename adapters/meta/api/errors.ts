import { permanent, rateLimited, type SendError, transient, uncertain } from '../../../src/channel/index.ts';
import { GraphFailure } from './graph.ts';

/** Our own codes for refusals, in SendError.providerCode: what an agent is told. */
export const META_CODES = {
  windowClosed: 'meta_window_closed',
  privateReplyUsed: 'meta_private_reply_used',
  privateReplyExpired: 'meta_private_reply_expired',
  waitingForAnswer: 'meta_waiting_for_answer',
} as const;

/** Graph error codes this adapter acts on. */
export const GRAPH = {
  /** Throttling: application, user, page-level and API-specific limits. */
  rateLimits: [4, 17, 32, 613, 80006] as number[],
  /** "An unknown error occurred" / "Service temporarily unavailable". */
  temporary: [1, 2] as number[],
  invalidToken: 190,
  /**
   * A second private reply to the same comment. Per our fake (and Meta's
   * answer "(#10900) Activity already replied to"), code 10900.
   */
  alreadyReplied: 10900,
  /** Code 10 with this subcode: sent outside the allowed messaging window. */
  outsideWindow: 2018278,
  userUnavailable: 551,
} as const;

const DEFAULT_RETRY_MS = 10_000;

/**
 * Sorts a failed Graph call into the outbox's three kinds: throttling waits,
 * 5xx, unknown errors and network failures back off and retry, everything
 * else is permanent with a reason an agent can act on. A network failure other
 * than a refused connection may have delivered the message: uncertain.
 */
export function toSendError(err: unknown): SendError {
  if (!(err instanceof GraphFailure)) {
    const reason = err instanceof Error ? err.message : String(err);
    const code = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
    const what = `the Graph API could not be reached: ${reason}`;
    return code === 'ECONNREFUSED' ? transient(what, err) : uncertain(what, err);
  }
  const what = `Graph API answered ${err.status}${err.graphCode != null ? ` (error ${err.graphCode}${err.subcode ? `/${err.subcode}` : ''})` : ''}: ${err.message}`;
  const code = err.graphCode ?? err.status;
  if (err.status === 429 || (err.graphCode != null && GRAPH.rateLimits.includes(err.graphCode))) {
    return rateLimited(what, err.retryAfterMs ?? DEFAULT_RETRY_MS, code);
  }
  if (err.status >= 500 || (err.graphCode != null && GRAPH.temporary.includes(err.graphCode)))
    return transient(what, err, code);
  if (err.graphCode === GRAPH.alreadyReplied) {
    return permanent(
      `this comment was already answered with a private reply (Meta allows one); ${what}`,
      META_CODES.privateReplyUsed,
      err,
    );
  }
  if (err.subcode === GRAPH.outsideWindow) {
    return permanent(
      `the messaging window is closed: the customer must write again first; ${what}`,
      META_CODES.windowClosed,
      err,
    );
  }
  if (err.graphCode === GRAPH.invalidToken)
    return permanent(`the access token is invalid or expired; ${what}`, code, err);
  if (err.graphCode === GRAPH.userUnavailable)
    return permanent(`this person cannot be reached right now; ${what}`, code, err);
  return permanent(what, code, err);
}
