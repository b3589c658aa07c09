import {
  type AttachmentFiles,
  type ChannelState,
  type Clock,
  choiceQuestionOf,
  type FileLimits,
  type OutboundMessage,
  permanent,
  SendError,
  type SendResult,
} from '../../../src/channel/index.ts';
import { commentIdentityKind, type DmLink, dmIdentityKind, linkKey, type PrivateReplySent, sentKey } from '../links.ts';
import type { MetaChannel, MetaSettings } from '../settings.ts';
import { decodeThreadKey } from '../thread-key.ts';
import { lastInbound, messagingWindow, PRIVATE_REPLY_WINDOW_MS } from '../window.ts';
import { META_CODES, toSendError } from './errors.ts';
import type { GraphClient } from './graph.ts';

export interface SendContext {
  channel: MetaChannel;
  graph: GraphClient;
  settings: MetaSettings;
  clock: Clock;
  state: ChannelState | null;
  /** Signed links to kept files, which Meta downloads. */
  files?: AttachmentFiles | null;
}

/**
 * Delivers one message: on a comment thread as a public reply under the
 * top-level comment; on a DM thread through the Send API inside the
 * messaging window; on a private-reply thread as the one private reply to
 * the comment, then (once the person answers) as DMs.
 */
export async function sendOutbound(ctx: SendContext, msg: OutboundMessage): Promise<SendResult> {
  const thread = decodeThreadKey(msg.threadKey);
  if (!thread) throw permanent(`thread key ${JSON.stringify(msg.threadKey)} is not a ${ctx.channel} thread`);
  if (thread.ours !== ctx.settings.ours) {
    throw permanent(`thread ${msg.threadKey} belongs to ${thread.ours}, not the configured ${ctx.settings.ours}`);
  }
  const files = msg.attachments ?? [];
  if (msg.text.trim() === '' && files.length === 0) throw permanent('nothing to send: the message has no text');
  if (files.length > 0 && thread.kind !== 'dm' && typeof msg.replyRef?.user !== 'string') {
    throw permanent(
      `a ${thread.kind === 'comment' ? 'comment reply' : 'private reply to a comment'} carries text only`,
    );
  }
  if (thread.kind === 'comment') return publicReply(ctx, thread.comment, msg.text);
  if (thread.kind === 'dm') return directMessage(ctx, msg, thread.user);
  const user = typeof msg.replyRef?.user === 'string' ? msg.replyRef.user : null;
  if (user) return directMessage(ctx, msg, user);
  return privateReply(ctx, msg, thread.comment);
}

async function publicReply(ctx: SendContext, comment: string, text: string): Promise<SendResult> {
  // Instagram answers under a comment with /replies, Facebook with /comments
  const edge = ctx.channel === 'instagram' ? 'replies' : 'comments';
  const res = await call(() => ctx.graph.post(`${comment}/${edge}`, { message: text }));
  return { providerId: typeof res.id === 'string' ? res.id : null };
}

async function directMessage(ctx: SendContext, msg: OutboundMessage, user: string): Promise<SendResult> {
  const decision = messagingWindow({
    lastInboundAt: lastInbound(msg.lastInboundAt, msg.replyRef),
    now: ctx.clock.now(),
    byAgent: msg.author.kind === 'agent',
    humanAgentTag: ctx.settings.humanAgentTag,
  });
  if (!decision.ok) throw permanent(`cannot send on ${ctx.channel}: ${decision.reason}`, META_CODES.windowClosed);
  const messages = [...(msg.text.trim() === '' ? [] : [messageOf(msg)]), ...attachmentMessages(ctx, msg)];
  // A text with files is several Send API calls: the ids of those already made are kept, so a retry sends only the rest.
  const key = partsKey(msg);
  const tracked = messages.length > 1 && ctx.state !== null;
  const ids = tracked ? ((await ctx.state?.get<string[]>(key)) ?? []) : [];
  for (let i = ids.length; i < messages.length; i++) {
    const body: Record<string, unknown> = {
      recipient: { id: user },
      messaging_type: decision.messagingType,
      message: messages[i],
      ...(decision.messagingType === 'MESSAGE_TAG' ? { tag: decision.tag } : {}),
    };
    const res = await call(() => ctx.graph.post(`${ctx.settings.ours}/messages`, body));
    ids.push(typeof res.message_id === 'string' ? res.message_id : '');
    if (tracked && i < messages.length - 1) await ctx.state?.set(key, ids);
  }
  return { providerId: ids[0] || null };
}

export const partsKey = (msg: OutboundMessage) => `parts:${msg.id}`;

/**
 * Each file as its own Send API message (Meta takes one attachment and no text per message), by
 * URL: the signed link to this router, which Meta downloads when the message is sent.
 */
function attachmentMessages(ctx: SendContext, msg: OutboundMessage): Record<string, unknown>[] {
  return (msg.attachments ?? []).map((a) => {
    const url = ctx.files?.link(a) ?? (a.blobKey ? null : a.url);
    if (!url) throw permanent(`attachment ${a.name ?? a.contentType} has no URL Meta can download`);
    return { attachment: { type: attachmentType(a.contentType), payload: { url, is_reusable: false } } };
  });
}

function attachmentType(contentType: string): 'image' | 'audio' | 'video' | 'file' {
  const family = contentType.split('/')[0];
  return family === 'image' || family === 'audio' || family === 'video' ? family : 'file';
}

/** Messenger takes any file up to 25 MB; Instagram pictures, video and sound only. */
export function metaFileLimits(channel: MetaChannel): FileLimits {
  const maxBytes = 25 * 1024 * 1024;
  return channel === 'instagram'
    ? { maxBytes, types: ['image/jpeg', 'image/png', 'image/gif', 'video/*', 'audio/*'] }
    : { maxBytes };
}

/**
 * Meta takes one private reply per comment, within 7 days of it; the person
 * can be messaged again only after they answer. The Send API's answer names
 * them (`recipient_id`): their DMs are linked to this thread from then on.
 */
async function privateReply(ctx: SendContext, msg: OutboundMessage, comment: string): Promise<SendResult> {
  const ours = ctx.settings.ours;
  const already = await ctx.state?.get<PrivateReplySent>(sentKey(ours, comment));
  if (already) {
    throw permanent(
      `the private reply to comment ${comment} was already sent; Meta allows one, and this conversation continues once the person answers it`,
      META_CODES.waitingForAnswer,
    );
  }
  const commentAt = typeof msg.replyRef?.commentAt === 'number' ? msg.replyRef.commentAt : null;
  if (commentAt !== null && ctx.clock.now() - commentAt > PRIVATE_REPLY_WINDOW_MS) {
    throw permanent(
      `comment ${comment} is more than 7 days old (${new Date(commentAt).toISOString()}): Meta no longer allows a private reply to it`,
      META_CODES.privateReplyExpired,
    );
  }
  const body = { recipient: { comment_id: comment }, messaging_type: 'RESPONSE', message: { text: msg.text } };
  let res: Record<string, unknown>;
  try {
    res = await call(() => ctx.graph.post(`${ours}/messages`, body));
  } catch (err) {
    // the comment cannot take another one: remember, so later sends say why without asking Graph
    if (err instanceof SendError && err.providerCode === META_CODES.privateReplyUsed) {
      await ctx.state?.set(sentKey(ours, comment), { user: null, at: ctx.clock.now() } satisfies PrivateReplySent);
    }
    throw err;
  }
  await rememberPrivateReply(ctx, msg, comment, typeof res.recipient_id === 'string' ? res.recipient_id : null);
  return { providerId: typeof res.message_id === 'string' ? res.message_id : null };
}

/** The comment has had its private reply, to `user` (when known): their DMs continue this thread. */
export async function rememberPrivateReply(
  ctx: SendContext,
  msg: OutboundMessage,
  comment: string,
  user: string | null,
): Promise<void> {
  const ours = ctx.settings.ours;
  await ctx.state?.set(sentKey(ours, comment), { user, at: ctx.clock.now() } satisfies PrivateReplySent);
  if (user) {
    const from = privateReplyIdentity(msg, user, ctx.channel);
    await ctx.state?.set(linkKey(ours, user), { threadKey: msg.threadKey, from } satisfies DmLink);
  }
}

/** The commenter's identity from the started thread, so their DMs stay with the same contact. */
function privateReplyIdentity(msg: OutboundMessage, user: string, channel: MetaChannel): DmLink['from'] {
  const author = msg.replyRef?.author;
  return typeof author === 'string'
    ? { kind: commentIdentityKind(channel), value: author }
    : { kind: dmIdentityKind(channel), value: user };
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toSendError(err);
  }
}

/** Messenger and Instagram show at most 13 quick replies, each title at most 20 characters. */
const QUICK_REPLIES_MAX = 13;
const TITLE_MAX = 20;

/**
 * A choice question as the question and its quick replies; the payload is the
 * whole label, which comes back as the answer (webhook/parse.ts). More options
 * than Meta shows keep the numbered text.
 */
export function messageOf(msg: Pick<OutboundMessage, 'text' | 'parts'>): Record<string, unknown> {
  const asked = choiceQuestionOf(msg);
  if (!asked || asked.options.length > QUICK_REPLIES_MAX) return { text: msg.text };
  return {
    text: asked.question,
    quick_replies: asked.options.map((o) => ({
      content_type: 'text',
      title: o.label.length > TITLE_MAX ? `${o.label.slice(0, TITLE_MAX - 1)}…` : o.label,
      payload: o.label,
    })),
  };
}
