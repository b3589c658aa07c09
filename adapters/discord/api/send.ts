import {
  AllowedMentionsTypes,
  type APIChannel,
  type APIMessage,
  type REST,
  type RESTPostAPIChannelMessageJSONBody,
  Routes,
} from 'discord.js';
import { type OutboundMessage, permanent, type SendResult } from '../../../src/channel/index.ts';
import { splitContent } from '../format/split.ts';
import { type DiscordReplyRef, readReplyRef } from '../reply-ref.ts';
import { type DiscordThread, decodeThreadKey } from '../thread-key.ts';
import { toSendError } from './errors.ts';
import { nonceFor } from './nonce.ts';

export interface SendContext {
  rest: REST;
  /** DM channel per user id, so a DM is opened once per process (opening again is harmless). */
  dmChannels: Map<string, string>;
  /** The bot's own user id, once asked (`GET /users/@me`). */
  botId?: string;
}

/** Where a reply goes, in which parts, and the customer's message its first part answers. */
export interface Target {
  channelId: string;
  parts: string[];
  answered: string | null;
}

/** Opens the DM when needed; throws what the REST client throws. */
export async function targetOf(ctx: SendContext, msg: OutboundMessage): Promise<Target> {
  const thread = decodeThreadKey(msg.threadKey);
  if (!thread) throw permanent(`thread key ${JSON.stringify(msg.threadKey)} is not a Discord thread`);
  const parts = contentParts(msg);
  const ref = readReplyRef(msg.replyRef);
  const channelId = await channelFor(ctx, thread, ref);
  const answered = ref?.messageId && ref.channelId === channelId ? ref.messageId : null;
  return { channelId, parts, answered };
}

/**
 * Posts one outbound message in its thread's channel: the first part answers
 * the message in the reply ref (`message_reference`), every part carries a
 * nonce derived from the outbox id with `enforce_nonce`, so a retry returns
 * what was already posted instead of posting it twice.
 */
export async function sendOutbound(ctx: SendContext, msg: OutboundMessage): Promise<SendResult> {
  try {
    const { channelId, parts, answered } = await targetOf(ctx, msg);
    const ids: string[] = [];
    for (const [i, content] of parts.entries()) {
      const body: RESTPostAPIChannelMessageJSONBody = {
        content,
        nonce: nonceFor(msg.id, i),
        enforce_nonce: true,
        // Text written by customers or agents must never ping @everyone or roles.
        allowed_mentions: { parse: [AllowedMentionsTypes.User], replied_user: true },
        ...(i === 0 && answered ? { message_reference: { message_id: answered, fail_if_not_exists: false } } : {}),
      };
      const posted = (await ctx.rest.post(Routes.channelMessages(channelId), { body })) as APIMessage;
      ids.push(posted.id);
    }
    return { providerId: ids[0] ?? null, status: 'sent' };
  } catch (err) {
    throw toSendError(err);
  }
}

function contentParts(msg: OutboundMessage): string[] {
  const links = (msg.attachments ?? []).map((a) => {
    if (!a.url) throw permanent(`attachment ${a.name ?? a.contentType} has no URL to link to`);
    return a.url;
  });
  const parts = splitContent([msg.text, ...links].filter((s) => s.trim().length > 0).join('\n'));
  if (parts.length === 0) throw permanent('nothing to send: the message has no text and no attachments');
  return parts;
}

/** The channel to post in: the thread's own, or the user's DM channel (opened when not known yet). */
async function channelFor(ctx: SendContext, thread: DiscordThread, ref: DiscordReplyRef | null): Promise<string> {
  if (thread.kind === 'channel') return thread.channelId;
  if (thread.kind === 'thread') return thread.threadId;
  if (ref && ref.guildId === null) return ref.channelId;
  const known = ctx.dmChannels.get(thread.userId);
  if (known) return known;
  const dm = (await ctx.rest.post(Routes.userChannels(), { body: { recipient_id: thread.userId } })) as APIChannel;
  ctx.dmChannels.set(thread.userId, dm.id);
  return dm.id;
}
