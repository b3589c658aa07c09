import { badRequest, type Envelope } from '../../../src/channel/index.ts';
import { channelKey, dmKey, dmTouchpoint, publicTouchpoint } from './thread.ts';

/** The fields of a Slack `message` or `app_mention` event we read. */
export interface SlackMessageEvent {
  type: string;
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  files?: Array<{ name?: string; mimetype?: string; url_private?: string; size?: number }>;
}

const TEXT_FIELDS = ['channel', 'channel_type', 'user', 'text', 'ts', 'thread_ts'] as const;

type SlackFile = NonNullable<SlackMessageEvent['files']>[number];

/** The files of a message as far as they are readable: the text still counts when an attachment's fields do not. */
function filesOf(e: SlackMessageEvent): SlackFile[] {
  if (!Array.isArray(e.files)) return [];
  return e.files.filter((f): f is SlackFile => typeof f === 'object' && f !== null);
}

/** Subtypes that are a person writing; edits, joins, bot posts and the like are not. */
const WRITTEN = new Set([undefined, 'file_share', 'thread_broadcast']);

export const isWrittenByPerson = (e: SlackMessageEvent) =>
  WRITTEN.has(e.subtype) && !e.bot_id && !!e.user && !!e.ts && !!e.channel;

/**
 * A customer's message in Slack as an envelope: DMs to the bot are private,
 * messages and mentions in channels are public and keep their Slack thread.
 * A mention also arrives as a message event: both carry the same provider id,
 * so the store keeps one.
 */
export function toEnvelope(e: SlackMessageEvent, raw: unknown): Envelope | null {
  if (!isWrittenByPerson(e)) return null;
  for (const field of TEXT_FIELDS) {
    if (e[field] !== undefined && typeof e[field] !== 'string') throw badRequest(`the message's ${field} is not text`);
  }
  const user = e.user as string;
  const channel = e.channel as string;
  const ts = e.ts as string;
  const dm = e.channel_type === 'im' || channel.startsWith('D');
  const rootTs = e.thread_ts ?? ts;
  return {
    channel: 'slack',
    providerId: `${channel}:${ts}`,
    touchpoint: dm ? dmTouchpoint : publicTouchpoint(e.type === 'app_mention'),
    threadKey: dm ? dmKey(user) : channelKey(channel, rootTs),
    ...(e.thread_ts ? { inReplyTo: [`${channel}:${e.thread_ts}`] } : {}),
    from: { kind: 'slack', value: user },
    text: e.text ?? '',
    attachments: filesOf(e).map((f) => ({
      contentType: typeof f.mimetype === 'string' ? f.mimetype : 'application/octet-stream',
      ...(typeof f.name === 'string' && f.name ? { name: f.name } : {}),
      ...(typeof f.url_private === 'string' && f.url_private ? { url: f.url_private } : {}),
      ...(typeof f.size === 'number' ? { size: f.size } : {}),
    })),
    replyRef: dm ? { channel } : { channel, threadTs: rootTs },
    sentAt: Math.round(Number(ts) * 1000),
    raw,
  };
}
