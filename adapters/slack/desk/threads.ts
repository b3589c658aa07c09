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
    markFromSlack: (messageId: string) => state.set(`desk:own:${messageId}`, true),
    isFromSlack: async (messageId: string) => (await state.get<boolean>(`desk:own:${messageId}`)) === true,
    /** The message an agent's Slack post became, once it was taken. */
    replyOf: (channel: string, ts: string) => state.get<string>(`desk:reply:${channel}:${ts}`),
    recordReply: (channel: string, ts: string, messageId: string) =>
      state.set(`desk:reply:${channel}:${ts}`, messageId),
  };
}

export type ThreadStore = ReturnType<typeof createThreadStore>;
