import type { Envelope } from '../../../src/channel/index.ts';
import type { DiscordSettings } from '../settings.ts';
import { type DiscordThread, encodeThreadKey } from '../thread-key.ts';
import type { InboundFacts } from './facts.ts';

export type Filters = Pick<DiscordSettings, 'guilds' | 'channels' | 'mentions' | 'mentionOnly' | 'directMessages'>;

export type Parsed = { envelope: Envelope } | { skip: string };

/**
 * Turns one Discord message into an envelope, or says why it is not a
 * touchpoint. DMs are private (`discord.dm`); server messages are public
 * (`discord.channel`) when they are in a listed channel or mention the bot.
 * Our own messages come back as echoes; other bots are never answered.
 */
export function toEnvelope(f: InboundFacts, botId: string, filters: Filters): Parsed {
  if (f.system) return { skip: 'a system message' };
  const ours = f.author.id === botId;
  if (f.author.bot && !ours) return { skip: 'written by another bot' };
  const mentioned = f.mentionedUserIds.includes(botId);
  if (!ours) {
    const refused = refusal(f, mentioned, filters);
    if (refused) return { skip: refused };
  }
  const text = stripMention(f.content, botId);
  if (!ours && text === '' && f.attachments.length === 0) return { skip: 'no text and no attachments' };
  // Our own message belongs to the person it answers; it is stored as an echo and never routed.
  const personId = ours ? (f.reference?.authorId ?? f.author.id) : f.author.id;
  const dm = f.place.kind === 'dm';
  const envelope: Envelope = {
    channel: 'discord',
    providerId: f.id,
    touchpoint: dm
      ? { channel: 'discord', kind: 'discord.dm', visibility: 'private' }
      : { channel: 'discord', kind: 'discord.channel', visibility: 'public' },
    threadKey: encodeThreadKey(threadOf(f, personId)),
    from: { kind: 'discord', value: f.author.id, name: f.author.displayName ?? f.author.username },
    text,
    ...(f.attachments.length > 0 ? { attachments: f.attachments } : {}),
    ...(f.reference?.authorId === botId ? { inReplyTo: [f.reference.messageId] } : {}),
    replyRef: { channelId: f.channelId, messageId: f.id, guildId: f.guildId },
    ...(ours ? { flags: { echo: true } } : {}),
    sentAt: f.createdAt,
    raw: f,
  };
  return { envelope };
}

function refusal(f: InboundFacts, mentioned: boolean, filters: Filters): string | null {
  if (f.place.kind === 'dm') return filters.directMessages ? null : 'direct messages are turned off';
  if (!f.guildId) return 'a server message without a server id';
  if (filters.guilds.length > 0 && !filters.guilds.includes(f.guildId)) return 'a server not in the allow-list';
  const channel = f.place.kind === 'thread' ? f.place.parentId : f.channelId;
  const listed = filters.channels.includes(channel) || filters.channels.includes(f.channelId);
  if (listed && (mentioned || !filters.mentionOnly)) return null;
  if (mentioned && filters.mentions) return null;
  return listed ? 'mention-only channel and the bot is not mentioned' : 'not a listed channel and no mention';
}

function threadOf(f: InboundFacts, personId: string): DiscordThread {
  if (f.place.kind === 'dm') return { kind: 'dm', userId: personId };
  const guildId = f.guildId ?? '0';
  if (f.place.kind === 'thread') return { kind: 'thread', guildId, parentId: f.place.parentId, threadId: f.channelId };
  return { kind: 'channel', guildId, channelId: f.channelId, userId: personId };
}

/** The bot's own mention (`<@id>` or the older `<@!id>`) says who is addressed, not what is asked. */
function stripMention(content: string, botId: string): string {
  return content
    .replaceAll(`<@${botId}>`, ' ')
    .replaceAll(`<@!${botId}>`, ' ')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}
