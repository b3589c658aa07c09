import { snowflake } from './snowflake.ts';

/**
 * Discord API objects as the gateway and REST send them (snake_case JSON),
 * with only the fields discord.js reads for what the tests do.
 */

export interface FakeUser {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}

export interface FakeChannel {
  id: string;
  name: string;
}

export interface FakeThread {
  id: string;
  name: string;
  parentId: string;
}

export interface FakeGuild {
  id: string;
  name: string;
  channels: FakeChannel[];
  threads: FakeThread[];
}

export function userPayload(u: FakeUser) {
  return {
    id: u.id,
    username: u.username,
    global_name: u.global_name ?? null,
    discriminator: '0',
    avatar: null,
    ...(u.bot ? { bot: true } : {}),
  };
}

/** GUILD_CREATE: the guild with its channels, threads and the bot as a member, so discord.js caches them. */
export function guildCreatePayload(g: FakeGuild, bot: FakeUser, now: number) {
  const iso = new Date(now).toISOString();
  return {
    id: g.id,
    name: g.name,
    icon: null,
    owner_id: bot.id,
    unavailable: false,
    member_count: 2,
    large: false,
    features: [],
    emojis: [],
    stickers: [],
    roles: [
      {
        id: g.id,
        name: '@everyone',
        permissions: '68608',
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    channels: g.channels.map((c, i) => ({
      id: c.id,
      type: 0,
      guild_id: g.id,
      name: c.name,
      position: i,
      permission_overwrites: [],
      parent_id: null,
      nsfw: false,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
    })),
    threads: g.threads.map((t) => ({
      id: t.id,
      type: 11,
      guild_id: g.id,
      parent_id: t.parentId,
      name: t.name,
      owner_id: bot.id,
      message_count: 0,
      member_count: 1,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: iso, locked: false },
    })),
    members: [{ user: userPayload(bot), roles: [], joined_at: iso, deaf: false, mute: false, flags: 0 }],
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export interface MessageInput {
  channelId: string;
  guildId: string | null;
  author: FakeUser;
  content: string;
  mentions?: FakeUser[];
  /** A reply: the message answered. */
  reference?: { messageId: string; author: FakeUser } | null;
  nonce?: string | null;
  /** Files with the message: as Discord lists uploads, or the author's files on the CDN's signed links. */
  attachments?: Array<AttachmentPayload | { filename: string; size: number; url: string; contentType: string }>;
}

export interface AttachmentPayload {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type: string;
}

/** A Message object; `channel_type: 1` on DMs lets discord.js build the DM channel it has not cached. */
/** Discord refuses longer message content (4,000 with Nitro, 2,000 without), so no gateway event carries more. */
export const MAX_MESSAGE_CONTENT = 4_000;

export function messagePayload(m: MessageInput, now: number) {
  if (m.content.length > MAX_MESSAGE_CONTENT)
    throw new Error(`Discord refuses message content over ${MAX_MESSAGE_CONTENT} characters (got ${m.content.length})`);
  const mentions = [...(m.mentions ?? []), ...(m.reference ? [m.reference.author] : [])];
  return {
    id: snowflake(now),
    type: m.reference ? 19 : 0,
    channel_id: m.channelId,
    ...(m.guildId
      ? {
          guild_id: m.guildId,
          member: { roles: [], joined_at: new Date(now).toISOString(), deaf: false, mute: false, flags: 0 },
        }
      : { channel_type: 1 }),
    author: userPayload(m.author),
    content: m.content,
    timestamp: new Date(now).toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: mentions.map(userPayload),
    mention_roles: [],
    attachments: (m.attachments ?? []).map((a) =>
      'proxy_url' in a
        ? a
        : {
            id: snowflake(now),
            filename: a.filename,
            size: a.size,
            url: a.url,
            proxy_url: a.url,
            content_type: a.contentType,
          },
    ),
    embeds: [],
    pinned: false,
    flags: 0,
    ...(m.nonce ? { nonce: m.nonce } : {}),
    ...(m.reference
      ? {
          message_reference: {
            type: 0,
            message_id: m.reference.messageId,
            channel_id: m.channelId,
            ...(m.guildId ? { guild_id: m.guildId } : {}),
          },
        }
      : {}),
  };
}

export type MessagePayload = ReturnType<typeof messagePayload>;
