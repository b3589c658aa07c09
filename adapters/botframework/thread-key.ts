/**
 * A Bot Framework thread is one conversation on one channel:
 * `{channelId}/{conversation id}`. Conversation ids are the channel's own
 * (Teams: `19:…@thread.tacv2;messageid=…`, `a:…`); channel ids never hold a
 * slash, so the first one separates the two.
 */
export interface BotThread {
  channelId: string;
  conversationId: string;
}

const CHANNEL_ID = /^[A-Za-z0-9_.-]+$/;

export function encodeThreadKey(t: BotThread): string {
  if (!CHANNEL_ID.test(t.channelId))
    throw new TypeError(`not a Bot Framework channel id: ${JSON.stringify(t.channelId)}`);
  if (t.conversationId === '') throw new TypeError('a conversation id is required');
  return `${t.channelId}/${t.conversationId}`;
}

export function decodeThreadKey(key: string): BotThread | null {
  const at = key.indexOf('/');
  if (at <= 0 || at === key.length - 1) return null;
  const channelId = key.slice(0, at);
  if (!CHANNEL_ID.test(channelId)) return null;
  return { channelId, conversationId: key.slice(at + 1) };
}
