import {
  AllowedMentionsTypes,
  type APIChannel,
  type APIMessage,
  type RawFile,
  type REST,
  type RESTPostAPIChannelMessageJSONBody,
  Routes,
} from 'discord.js';
import {
  type AttachmentFiles,
  type FileLimits,
  type OutboundMessage,
  permanent,
  type SendResult,
} from '../../../src/channel/index.ts';
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
  /** Kept files, read for upload. */
  files?: AttachmentFiles | null;
}

/** Discord takes 10 files per message, each up to 10 MiB without a server boost. */
const MAX_FILES = 10;
export const DISCORD_FILE_LIMITS: FileLimits = { maxBytes: 10 * 1024 * 1024 };

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
    const uploads = await uploadsOf(ctx, msg);
    const { channelId, parts, answered } = await targetOf(ctx, msg);
    const ids: string[] = [];
    for (const [i, content] of parts.entries()) {
      // The files go with the last part, after the text that introduces them.
      const files = i === parts.length - 1 ? uploads : [];
      const body: RESTPostAPIChannelMessageJSONBody = {
        content,
        nonce: nonceFor(msg.id, i),
        enforce_nonce: true,
        // Text written by customers or agents must never ping @everyone or roles.
        allowed_mentions: { parse: [AllowedMentionsTypes.User], replied_user: true },
        ...(i === 0 && answered ? { message_reference: { message_id: answered, fail_if_not_exists: false } } : {}),
        ...(files.length > 0 ? { attachments: files.map((f, id) => ({ id, filename: f.name })) } : {}),
      };
      const posted = (await ctx.rest.post(Routes.channelMessages(channelId), {
        body,
        ...(files.length > 0 ? { files } : {}),
      })) as APIMessage;
      ids.push(posted.id);
    }
    return { providerId: ids[0] ?? null, status: 'sent' };
  } catch (err) {
    throw toSendError(err);
  }
}

function contentParts(msg: OutboundMessage): string[] {
  // A file only known by its public URL is linked in the text; kept files are uploaded.
  const links = (msg.attachments ?? []).flatMap((a) => {
    if (a.blobKey) return [];
    if (!a.url) throw permanent(`attachment ${a.name ?? a.contentType} has no URL to link to`);
    return [a.url];
  });
  const parts = splitContent([msg.text, ...links].filter((s) => s.trim().length > 0).join('\n'));
  if (parts.length > 0) return parts;
  if ((msg.attachments ?? []).some((a) => a.blobKey)) return [''];
  throw permanent('nothing to send: the message has no text and no attachments');
}

/** The message's kept files as multipart uploads (discord.js sends them as `files[n]`). */
async function uploadsOf(ctx: SendContext, msg: OutboundMessage): Promise<RawFile[]> {
  const kept = (msg.attachments ?? []).filter((a) => a.blobKey);
  if (kept.length > MAX_FILES) throw permanent(`${kept.length} files: Discord takes at most ${MAX_FILES} per message`);
  return Promise.all(
    kept.map(async (a, i) => {
      const data = await ctx.files?.read(a);
      if (!data) throw permanent(`attachment ${a.name ?? a.blobKey} is no longer kept: nothing to upload`);
      if (data.length > DISCORD_FILE_LIMITS.maxBytes) {
        throw permanent(`attachment ${a.name ?? a.blobKey} is ${data.length} bytes: Discord takes 10 MiB`);
      }
      return { name: a.name ?? `file-${i + 1}${extensionOf(a.contentType)}`, data, contentType: a.contentType };
    }),
  );
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
  'application/pdf': '.pdf',
};
const extensionOf = (type: string) => EXTENSIONS[type] ?? '';

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
