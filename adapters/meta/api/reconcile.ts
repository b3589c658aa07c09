import type { OutboundMessage, SendCheck, UnconfirmedSend } from '../../../src/channel/index.ts';
import { type PrivateReplySent, sentKey } from '../links.ts';
import { decodeThreadKey } from '../thread-key.ts';
import { toSendError } from './errors.ts';
import { rememberPrivateReply, type SendContext } from './send.ts';

/** Our clock and Meta's may disagree by this much; Graph's times have whole seconds. */
const SKEW_MS = 60_000;
const PAGE_SIZE = 50;
const MAX_PAGES = 10;

type Item = Record<string, unknown>;
/** What a look-up found: the item's id, nothing since the attempt, or why it could not tell. */
type Found = { id: string; item: Item } | { none: true } | { unknown: string };

/**
 * Whether Meta already has an unconfirmed send. The Send API takes no
 * idempotency key, so what we sent is looked for where Graph shows it, as
 * ours (`from` is the Page or the Instagram account), with the same text,
 * created since the attempt (less clock skew), and never one the core
 * already recorded for the conversation:
 * - a DM (also on a private-reply thread once the person answered): the
 *   person's conversation (`/{ours}/conversations?platform=…&user_id=…`),
 *   then its messages, newest first;
 * - a public reply: the comment's replies (`/{comment}/comments` newest
 *   first on Facebook, `/{comment}/replies` on Instagram);
 * - the private reply to a comment: the conversations updated since the
 *   attempt; not there, Facebook says whether the comment can still take one
 *   (`can_reply_privately`). Meta takes one private reply per comment, so a
 *   resend of it can never reach the person twice.
 * A failed look-up throws (SendError): the core asks again later, or flags
 * the conversation when the error is permanent (a missing permission).
 */
export async function reconcileOutbound(
  ctx: SendContext,
  msg: OutboundMessage,
  attempt: UnconfirmedSend,
): Promise<SendCheck> {
  const thread = decodeThreadKey(msg.threadKey);
  const text = msg.text.trim();
  // sendOutbound refuses these before calling Graph: nothing can have gone out.
  if (!thread || thread.ours !== ctx.settings.ours || text === '') return { state: 'not-sent' };
  const look: Look = { ctx, text, since: attempt.since - SKEW_MS, known: new Set(attempt.knownProviderIds) };
  try {
    if (thread.kind === 'comment') return answer(await commentReply(look, thread.comment));
    if (thread.kind === 'dm') return answer(await directMessage(look, thread.user));
    const user = typeof msg.replyRef?.user === 'string' ? msg.replyRef.user : null;
    if (user) return answer(await directMessage(look, user));
    return await privateReply(look, msg, thread.comment);
  } catch (err) {
    throw toSendError(err);
  }
}

interface Look {
  ctx: SendContext;
  text: string;
  since: number;
  known: ReadonlySet<string>;
}

function answer(found: Found): SendCheck {
  if ('id' in found) return { state: 'sent', providerId: found.id };
  if ('none' in found) return { state: 'not-sent' };
  return { state: 'unknown', reason: found.unknown };
}

const platform = (look: Look) => (look.ctx.channel === 'instagram' ? 'instagram' : 'messenger');
const query = (q: Record<string, string>) => new URLSearchParams(q).toString();

async function directMessage(look: Look, user: string): Promise<Found> {
  const ours = look.ctx.settings.ours;
  const list = await look.ctx.graph.get(
    `${ours}/conversations?${query({ platform: platform(look), user_id: user, fields: 'id' })}`,
  );
  const id = items(list)[0]?.id;
  if (typeof id !== 'string') return { none: true };
  const fields = 'id,message,created_time,from';
  return scan(look, `${id}/messages?${query({ fields, limit: String(PAGE_SIZE) })}`, 'newest-first', 'message');
}

async function commentReply(look: Look, comment: string): Promise<Found> {
  if (look.ctx.channel === 'instagram') {
    const fields = 'id,text,timestamp,from';
    return scan(look, `${comment}/replies?${query({ fields, limit: String(PAGE_SIZE) })}`, 'any-order', 'text');
  }
  const q = query({ fields: 'id,message,created_time,from', order: 'reverse_chronological', limit: String(PAGE_SIZE) });
  return scan(look, `${comment}/comments?${q}`, 'newest-first', 'message');
}

async function privateReply(look: Look, msg: OutboundMessage, comment: string): Promise<SendCheck> {
  const { ctx } = look;
  const ours = ctx.settings.ours;
  const noted = await ctx.state?.get<PrivateReplySent>(sentKey(ours, comment));
  // Noted since the attempt: the router died after noting it, before recording the send.
  if (noted && noted.at >= look.since) return { state: 'sent', providerId: null };
  // Noted before: this is not the comment's private reply, and sending it again is refused without a call.
  if (noted) return { state: 'not-sent' };
  const found = await inConversations(look);
  if ('id' in found) {
    const to = (found.item.to as { data?: Item[] } | undefined)?.data?.[0]?.id;
    await rememberPrivateReply(ctx, msg, comment, typeof to === 'string' ? to : null);
    return { state: 'sent', providerId: found.id };
  }
  if ('unknown' in found) return { state: 'unknown', reason: found.unknown };
  // Instagram shows no such field; a second private reply to the comment is refused there anyway.
  if (ctx.channel === 'instagram') return { state: 'not-sent' };
  const node = await ctx.graph.get(`${comment}?${query({ fields: 'id,can_reply_privately' })}`);
  if (node.can_reply_privately === true) return { state: 'not-sent' };
  return {
    state: 'unknown',
    reason: `comment ${comment} takes no more private replies, and none with this text was found since the attempt`,
  };
}

/** Our message with the text among the conversations updated since the attempt, newest first. */
async function inConversations(look: Look): Promise<Found> {
  const ours = look.ctx.settings.ours;
  const fields = `id,updated_time,messages.limit(${PAGE_SIZE}){id,message,created_time,from,to}`;
  let page: Item | null = await look.ctx.graph.get(
    `${ours}/conversations?${query({ platform: platform(look), fields, limit: '25' })}`,
  );
  for (let n = 0; page; n++) {
    for (const c of items(page)) {
      if (timeOf(c.updated_time) < look.since) return { none: true };
      const messages = (c.messages ?? {}) as Item;
      for (const m of items(messages)) if (isOurs(look, m, 'message')) return { id: String(m.id), item: m };
      if (nextOf(messages)) return { unknown: `more than ${PAGE_SIZE} messages in one conversation since the attempt` };
    }
    const next = nextOf(page);
    if (!next) return { none: true };
    if (n + 1 >= MAX_PAGES) return { unknown: `more than ${MAX_PAGES} pages of conversations since the attempt` };
    page = await look.ctx.graph.follow(next);
    if (!page) return { unknown: 'Graph answered with a paging link to another host' };
  }
  return { none: true };
}

/**
 * Reads a list page by page for our item with the text. `newest-first`
 * lists stop at the first item older than the attempt; others are read to
 * their end, up to MAX_PAGES.
 */
async function scan(look: Look, path: string, order: 'newest-first' | 'any-order', textField: string): Promise<Found> {
  let page: Item | null = await look.ctx.graph.get(path);
  for (let n = 0; page; n++) {
    for (const item of items(page)) {
      if (order === 'newest-first' && timeOf(item.created_time) < look.since) return { none: true };
      if (isOurs(look, item, textField)) return { id: String(item.id), item };
    }
    const next = nextOf(page);
    if (!next) return { none: true };
    if (n + 1 >= MAX_PAGES) return { unknown: `more than ${PAGE_SIZE * MAX_PAGES} messages to read since the attempt` };
    page = await look.ctx.graph.follow(next);
    if (!page) return { unknown: 'Graph answered with a paging link to another host' };
  }
  return { none: true };
}

function isOurs(look: Look, item: Item, textField: string): boolean {
  const from = (item.from as Item | undefined)?.id;
  const text = item[textField];
  const at = timeOf(item.created_time ?? item.timestamp);
  return (
    typeof item.id === 'string' &&
    !look.known.has(item.id) &&
    from === look.ctx.settings.ours &&
    typeof text === 'string' &&
    text.trim() === look.text &&
    at >= look.since
  );
}

const items = (list: Item): Item[] =>
  Array.isArray(list.data) ? list.data.filter((x): x is Item => !!x && typeof x === 'object') : [];

function nextOf(list: Item): string | null {
  const next = (list.paging as Item | undefined)?.next;
  return typeof next === 'string' ? next : null;
}

/** Graph's `2026-01-05T09:00:00+0000` (Date.parse wants the colon in the offset); NaN counts as old. */
function timeOf(v: unknown): number {
  if (typeof v !== 'string') return Number.NEGATIVE_INFINITY;
  const t = Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}
