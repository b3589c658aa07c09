import { z } from 'zod';
import { type Attachment, badRequest } from '../../../src/channel/index.ts';

/** A Messenger or Instagram direct message from a person. */
export interface DmEvent {
  type: 'dm';
  ours: string;
  user: string;
  mid: string;
  text: string;
  attachments: Attachment[];
  timestamp: number;
  raw: unknown;
}

/** A new public comment (or reply to one) by someone other than us. */
export interface CommentEvent {
  type: 'comment';
  ours: string;
  comment: string;
  /** The top-level comment of the thread: the comment itself, or the one it answers. */
  root: string;
  /** The post (facebook) or media (instagram) commented on. */
  post: string | null;
  from: { id: string; name: string | null };
  text: string;
  timestamp: number;
  raw: unknown;
}

export interface IgnoredEvent {
  type: 'ignored';
  reason: string;
  timestamp: number;
}

/** An event of the batch that cannot be read: kept for inspection while the rest of the batch counts. */
export interface UnreadableEvent {
  type: 'unreadable';
  reason: string;
  timestamp: number;
  raw: unknown;
}

export type MetaEvent = DmEvent | CommentEvent | IgnoredEvent | UnreadableEvent;

const id = z.union([z.string().min(1), z.number().int()]).transform(String);

const payload = z.object({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id,
      time: z.number().optional(),
      messaging: z.array(z.unknown()).optional(),
      changes: z.array(z.unknown()).optional(),
    }),
  ),
});

const messaging = z.looseObject({
  sender: z.looseObject({ id }),
  recipient: z.looseObject({ id }),
  timestamp: z.number(),
  message: z
    .looseObject({
      mid: z.string().min(1),
      text: z.string().optional(),
      quick_reply: z.looseObject({ payload: z.string() }).optional(),
      is_echo: z.boolean().optional(),
      attachments: z
        .array(z.looseObject({ type: z.string(), payload: z.looseObject({ url: z.string().optional() }).nullish() }))
        .optional(),
    })
    .optional(),
  postback: z.looseObject({ mid: z.string().optional(), title: z.string().optional() }).optional(),
});

const change = z.looseObject({ field: z.string(), value: z.looseObject({}) });

const feedComment = z.looseObject({
  item: z.literal('comment'),
  verb: z.string(),
  comment_id: z.string().min(1),
  post_id: z.string().optional(),
  parent_id: z.string().optional(),
  from: z.looseObject({ id, name: z.string().optional() }),
  message: z.string().optional(),
  created_time: z.union([z.number(), z.string()]).optional(),
});

const igComment = z.looseObject({
  id: z.string().min(1),
  from: z.looseObject({ id, username: z.string().optional() }),
  text: z.string().optional(),
  media: z.looseObject({ id }).optional(),
  parent_id: z.string().optional(),
});

/** Meta writes some times in seconds and some in milliseconds. */
const toMs = (t: number) => (t < 1e12 ? t * 1000 : t);

/**
 * Every event of one webhook delivery, oldest first (Meta does not keep
 * order). A payload that is not a Meta webhook at all is a 400; an event we
 * do not handle is returned as `ignored`, one we cannot read as `unreadable`,
 * so the rest of the batch still counts.
 */
export function parseWebhook(body: unknown, expectedObject: 'page' | 'instagram'): MetaEvent[] {
  const parsed = payload.safeParse(body);
  if (!parsed.success) throw badRequest('not a Meta webhook: expected {object, entry: [...]}');
  if (parsed.data.object !== expectedObject) {
    throw badRequest(
      `this webhook takes object "${expectedObject}", not "${parsed.data.object}": check the app's subscription`,
    );
  }
  const events: MetaEvent[] = [];
  for (const entry of parsed.data.entry) {
    const time = toMs(entry.time ?? 0);
    for (const m of entry.messaging ?? []) events.push(messagingEvent(m, time));
    for (const c of entry.changes ?? []) events.push(changeEvent(c, entry.id, time));
  }
  return events.sort((a, b) => a.timestamp - b.timestamp);
}

const unreadable = (reason: string, timestamp: number, raw: unknown): UnreadableEvent => ({
  type: 'unreadable',
  reason,
  timestamp,
  raw,
});

function messagingEvent(raw: unknown, time: number): MetaEvent {
  const p = messaging.safeParse(raw);
  if (!p.success) return unreadable('unreadable messaging event', time, raw);
  const m = p.data;
  // messaging timestamps are always milliseconds
  const base = { ours: m.recipient.id, user: m.sender.id, timestamp: m.timestamp, raw };
  if (m.message?.is_echo) return { type: 'ignored', reason: 'echo of our own message', timestamp: base.timestamp };
  if (m.message) {
    const attachments: Attachment[] = (m.message.attachments ?? []).map((a) => ({
      contentType: a.type,
      ...(a.payload?.url ? { url: a.payload.url } : {}),
    }));
    // A tapped quick reply: its payload is the option's whole label (the title shown may be shortened).
    const text = m.message.quick_reply?.payload ?? m.message.text ?? '';
    return { type: 'dm', ...base, mid: m.message.mid, text, attachments };
  }
  if (m.postback?.mid) {
    // a tapped button: its title is what the person "said"
    return { type: 'dm', ...base, mid: m.postback.mid, text: m.postback.title ?? '', attachments: [] };
  }
  return { type: 'ignored', reason: 'not a message (read, delivery, reaction …)', timestamp: base.timestamp };
}

function changeEvent(raw: unknown, ours: string, time: number): MetaEvent {
  const c = change.safeParse(raw);
  if (!c.success) return unreadable('unreadable change', time, raw);
  const { field, value } = c.data;
  if (field === 'feed') return feedEvent(value, ours, time, raw);
  if (field === 'comments') return instagramEvent(value, ours, time, raw);
  return { type: 'ignored', reason: `field ${field}`, timestamp: time };
}

function feedEvent(value: unknown, ours: string, time: number, raw: unknown): MetaEvent {
  const p = feedComment.safeParse(value);
  if (!p.success) return { type: 'ignored', reason: 'feed change that is not a comment', timestamp: time };
  const v = p.data;
  const created = typeof v.created_time === 'number' ? toMs(v.created_time) : Date.parse(v.created_time ?? '');
  const timestamp = Number.isNaN(created) ? time : created;
  if (v.verb !== 'add') return { type: 'ignored', reason: `comment ${v.verb}`, timestamp };
  if (v.from.id === ours) return { type: 'ignored', reason: "the Page's own comment", timestamp };
  // a top-level comment's parent is the post itself
  const root = v.parent_id && v.parent_id !== v.post_id ? v.parent_id : v.comment_id;
  return {
    type: 'comment',
    ours,
    comment: v.comment_id,
    root,
    post: v.post_id ?? null,
    from: { id: v.from.id, name: v.from.name ?? null },
    text: v.message ?? '',
    timestamp,
    raw,
  };
}

function instagramEvent(value: unknown, ours: string, time: number, raw: unknown): MetaEvent {
  const p = igComment.safeParse(value);
  if (!p.success) return unreadable('unreadable Instagram comment', time, raw);
  const v = p.data;
  if (v.from.id === ours) return { type: 'ignored', reason: "the account's own comment", timestamp: time };
  return {
    type: 'comment',
    ours,
    comment: v.id,
    root: v.parent_id ?? v.id,
    post: v.media?.id ?? null,
    from: { id: v.from.id, name: v.from.username ?? null },
    text: v.text ?? '',
    timestamp: time,
    raw,
  };
}
