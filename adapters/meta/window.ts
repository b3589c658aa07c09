/**
 * Meta's messaging window: free replies within 24 h of the person's last
 * message; after that, a human agent's reply may go out with the HUMAN_AGENT
 * tag until 7 days; nothing after that until the person writes again.
 */
export const HOUR_MS = 3_600_000;
export const STANDARD_WINDOW_MS = 24 * HOUR_MS;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;
/** Private replies to a comment are allowed this long after it. */
export const PRIVATE_REPLY_WINDOW_MS = 7 * 24 * HOUR_MS;

export type WindowDecision =
  | { ok: true; messagingType: 'RESPONSE' }
  | { ok: true; messagingType: 'MESSAGE_TAG'; tag: 'HUMAN_AGENT' }
  | { ok: false; reason: string };

export interface WindowInput {
  lastInboundAt: number | null;
  now: number;
  /** The reply was written by a person (an agent), not the bot. */
  byAgent: boolean;
  /** The app holds the Human Agent permission (channel setting). */
  humanAgentTag: boolean;
}

export function messagingWindow(w: WindowInput): WindowDecision {
  if (w.lastInboundAt === null) {
    return {
      ok: false,
      reason: 'the customer has not written on this thread yet: Meta lets a business reply only after they do',
    };
  }
  const age = Math.max(0, w.now - w.lastInboundAt);
  if (age <= STANDARD_WINDOW_MS) return { ok: true, messagingType: 'RESPONSE' };
  const ago = `the customer's last message was ${Math.floor(age / HOUR_MS)} h ago (${new Date(w.lastInboundAt).toISOString()})`;
  if (w.byAgent && w.humanAgentTag && age <= HUMAN_AGENT_WINDOW_MS) {
    return { ok: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
  }
  if (w.byAgent && w.humanAgentTag) {
    return { ok: false, reason: `${ago}: past 7 days not even an agent may reply until they write again` };
  }
  if (w.byAgent) {
    return {
      ok: false,
      reason: `${ago}: past 24 h only agents with the Human Agent permission may reply (humanAgentTag is off)`,
    };
  }
  return {
    ok: false,
    reason: `${ago}: past 24 h only a person (an agent, with the HUMAN_AGENT tag) may reply, for up to 7 days`,
  };
}

/** The earlier of the core's and the reply reference's last-inbound times: Meta counts from the message itself. */
export function lastInbound(
  fromCore: number | null | undefined,
  replyRef: Record<string, unknown> | null,
): number | null {
  const fromRef = typeof replyRef?.lastInboundAt === 'number' ? replyRef.lastInboundAt : null;
  const known = [fromCore, fromRef].filter((v): v is number => typeof v === 'number');
  return known.length === 0 ? null : Math.min(...known);
}
