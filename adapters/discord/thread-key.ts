/**
 * Discord thread keys, built and read only here:
 *
 * - `discord:dm:<userId>`: the direct messages with one user (private). Keyed by
 *   the user, not the DM channel, so a DM the core starts (a public
 *   conversation moving to private) and the user's own DMs share one thread;
 *   the DM channel is opened, or found again, when sending.
 * - `discord:ch:<guildId>:<channelId>:<userId>`: one user's messages in a
 *   public server channel; each person there is their own conversation.
 * - `discord:th:<guildId>:<parentChannelId>:<threadId>`: a Discord thread is
 *   one conversation, whoever writes in it.
 */

export type DiscordThread =
  | { kind: 'dm'; userId: string }
  | { kind: 'channel'; guildId: string; channelId: string; userId: string }
  | { kind: 'thread'; guildId: string; parentId: string; threadId: string };

const ID = /^\d{1,21}$/;

export function encodeThreadKey(t: DiscordThread): string {
  switch (t.kind) {
    case 'dm':
      return `discord:dm:${t.userId}`;
    case 'channel':
      return `discord:ch:${t.guildId}:${t.channelId}:${t.userId}`;
    case 'thread':
      return `discord:th:${t.guildId}:${t.parentId}:${t.threadId}`;
  }
}

/** The thread a key names, or null when it is not a key this adapter built. */
export function decodeThreadKey(key: string): DiscordThread | null {
  const [prefix, kind, ...ids] = key.split(':');
  if (prefix !== 'discord' || !ids.every((id) => ID.test(id))) return null;
  const [a, b, c] = ids;
  if (kind === 'dm' && ids.length === 1 && a) return { kind: 'dm', userId: a };
  if (ids.length !== 3 || !a || !b || !c) return null;
  if (kind === 'ch') return { kind: 'channel', guildId: a, channelId: b, userId: c };
  if (kind === 'th') return { kind: 'thread', guildId: a, parentId: b, threadId: c };
  return null;
}

/**
 * The rate-limit key of a thread: the Discord channel messages are posted in
 * (Discord limits sends per channel). A DM's channel id may not be known yet,
 * so DMs are keyed by the user, which is one channel all the same.
 */
export function destinationOf(t: DiscordThread): string {
  switch (t.kind) {
    case 'dm':
      return `dm:${t.userId}`;
    case 'channel':
      return t.channelId;
    case 'thread':
      return t.threadId;
  }
}
