import type { ChannelState } from '../../../src/channel/index.ts';

/** A conversation's desk thread, kept in the adapter's durable state. */
export interface DeskThread {
  conversationId: string;
  channel: string;
  /** The header card's ts: the thread's root. */
  ts: string;
  /** Fingerprint of the header as last posted, so it is updated only when it changed. */
  header: string;
  /** The last message mirrored into the thread; later ones are posted next. */
  cursor: string | null;
  /** Messages whose delivery failure was posted already. */
  failures: string[];
  /** The conversation's tier (desk.yaml `tiers`) when the thread was opened; a change moves the thread. */
  tier?: string | null;
  /** The thread's own permalink, when it was opened by a move (old threads point to it). */
  permalink?: string | null;
  /** A move to this thread not finished yet: the summary, then the old thread's last word and its card. */
  moving?: { channel: string; ts: string; fromTier: string | null; summary: boolean };
  /** Threads the conversation moved away from, oldest first: cleared with this one when it is erased. */
  earlier?: Array<{ channel: string; ts: string }>;
  /** The conversation was erased (or emptied by retention) and the bot's posts in the thread deleted. */
  cleared?: boolean;
  /** Customers' attachments shown already (`messageId:index`); absent in threads kept before files were shown. */
  files?: string[];
}

/**
 * Durable mapping between conversations and Slack threads, both ways, plus
 * marks for what came from Slack itself (an agent's reply is in the thread
 * already: mirroring it would show it twice; a redelivered reply must not be sent twice).
 */
export function createThreadStore(state: ChannelState) {
  return {
    get: (conversationId: string) => state.get<DeskThread>(`desk:conv:${conversationId}`),
    async save(t: DeskThread): Promise<void> {
      await state.set(`desk:conv:${t.conversationId}`, t);
      await state.set(`desk:ts:${t.channel}:${t.ts}`, t.conversationId);
    },
    conversationOf: (channel: string, ts: string) => state.get<string>(`desk:ts:${channel}:${ts}`),
    /** The conversation's current thread when (channel, ts) is the root of an earlier one it moved from, else null. */
    async movedFrom(channel: string, ts: string): Promise<DeskThread | null> {
      const id = await state.get<string>(`desk:ts:${channel}:${ts}`);
      const t = id ? await state.get<DeskThread>(`desk:conv:${id}`) : null;
      return t && (t.channel !== channel || t.ts !== ts) ? t : null;
    },
    markFromSlack: (messageId: string) => state.set(`desk:own:${messageId}`, true),
    isFromSlack: async (messageId: string) => (await state.get<boolean>(`desk:own:${messageId}`)) === true,
    /** The message an agent's Slack post became, once it was taken. */
    replyOf: (channel: string, ts: string) => state.get<string>(`desk:reply:${channel}:${ts}`),
    recordReply: (channel: string, ts: string, messageId: string) =>
      state.set(`desk:reply:${channel}:${ts}`, messageId),
  };
}

export type ThreadStore = ReturnType<typeof createThreadStore>;
