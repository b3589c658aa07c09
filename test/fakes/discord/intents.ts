/**
 * Gateway intents as Discord applies them to message events: without
 * GUILD_MESSAGES no server messages, without DIRECT_MESSAGES no DMs, and
 * without the privileged MESSAGE_CONTENT the content fields of server
 * messages come empty, except the bot's own messages and those mentioning it
 * (DMs always carry their content).
 */
export const Intents = {
  guilds: 1 << 0,
  guildMessages: 1 << 9,
  directMessages: 1 << 12,
  messageContent: 1 << 15,
} as const;

/** Every intent bit Discord defines (up to 1 << 25): IDENTIFY with any other bit is closed with 4013. */
export const KNOWN_INTENTS = (1 << 26) - 1;

const MESSAGE_EVENTS = new Set(['MESSAGE_CREATE', 'MESSAGE_UPDATE']);

interface MessageLike {
  guild_id?: string;
  author?: { id?: string };
  mentions?: Array<{ id?: string }>;
}

/** The dispatch as a session with `intents` receives it, or null when it gets none. */
export function asSeenWith(intents: number, botId: string, t: string, d: unknown): unknown | null {
  if (!MESSAGE_EVENTS.has(t) || typeof d !== 'object' || d === null) return d;
  const m = d as MessageLike;
  const inGuild = typeof m.guild_id === 'string';
  if (!(intents & (inGuild ? Intents.guildMessages : Intents.directMessages))) return null;
  if (intents & Intents.messageContent || !inGuild) return d;
  const own = m.author?.id === botId;
  const mentioned = (m.mentions ?? []).some((u) => u.id === botId);
  if (own || mentioned) return d;
  return { ...d, content: '', embeds: [], attachments: [], components: [] };
}
