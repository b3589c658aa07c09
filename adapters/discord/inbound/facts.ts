import type { Message } from 'discord.js';
import type { Attachment } from '../../../src/channel/index.ts';

/**
 * What the adapter needs from one Discord message, as plain data: the rules
 * that turn it into an envelope (to-envelope.ts) are tested without a client.
 */
export interface InboundFacts {
  id: string;
  /** The channel it was posted in: a DM channel, a server channel or a thread. */
  channelId: string;
  guildId: string | null;
  place: { kind: 'dm' } | { kind: 'channel' } | { kind: 'thread'; parentId: string };
  author: { id: string; username: string; displayName: string | null; bot: boolean };
  content: string;
  /** Join notices, pins, thread starts …: not written by a person. */
  system: boolean;
  mentionedUserIds: string[];
  /** The message this one replies to, and who wrote that one (when Discord says). */
  reference: { messageId: string; authorId: string | null } | null;
  createdAt: number;
  attachments: Attachment[];
}

export function factsOf(m: Message): InboundFacts {
  const ch = m.channel;
  const place: InboundFacts['place'] = ch.isDMBased()
    ? { kind: 'dm' }
    : ch.isThread()
      ? { kind: 'thread', parentId: ch.parentId ?? ch.id }
      : { kind: 'channel' };
  const refId = m.reference?.messageId ?? null;
  return {
    id: m.id,
    channelId: m.channelId,
    guildId: m.guildId,
    place,
    author: {
      id: m.author.id,
      username: m.author.username,
      displayName: m.member?.displayName ?? m.author.globalName ?? null,
      bot: m.author.bot,
    },
    content: m.content,
    system: m.system,
    mentionedUserIds: [...m.mentions.users.keys()],
    reference: refId ? { messageId: refId, authorId: m.mentions.repliedUser?.id ?? null } : null,
    createdAt: m.createdTimestamp,
    attachments: [...m.attachments.values()].map((a) => ({
      name: a.name,
      contentType: a.contentType ?? 'application/octet-stream',
      url: a.url,
      size: a.size,
    })),
  };
}
