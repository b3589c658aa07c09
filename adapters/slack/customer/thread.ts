import type { StartedThread, StartThreadRequest, Touchpoint } from '../../../src/channel/index.ts';

/**
 * Thread keys of Slack customer conversations:
 * - `dm:<user>`: direct messages with the bot (private); the DM channel id travels in the reply reference;
 * - `ch:<channel>:<root ts>`: a message or mention in a channel and its Slack thread (public);
 * - `post:<channel>`: posts of the core to a staff channel (crisis banners, QA samples), each its own message.
 */
export type SlackThread =
  | { kind: 'dm'; user: string }
  | { kind: 'channel'; channel: string; rootTs: string }
  | { kind: 'post'; channel: string };

export const dmKey = (user: string) => `dm:${user}`;
export const channelKey = (channel: string, rootTs: string) => `ch:${channel}:${rootTs}`;
export const postKey = (channel: string) => `post:${channel}`;

export function parseThreadKey(key: string): SlackThread | null {
  const dm = /^dm:([UW][A-Z0-9]+)$/.exec(key);
  if (dm?.[1]) return { kind: 'dm', user: dm[1] };
  const ch = /^ch:([CGD][A-Z0-9]+):(\d+\.\d+)$/.exec(key);
  if (ch?.[1] && ch[2]) return { kind: 'channel', channel: ch[1], rootTs: ch[2] };
  const post = /^post:([CG][A-Z0-9]+)$/.exec(key);
  if (post?.[1]) return { kind: 'post', channel: post[1] };
  return null;
}

export const dmTouchpoint: Touchpoint = { channel: 'slack', kind: 'slack.dm', visibility: 'private' };

export function publicTouchpoint(mention: boolean): Touchpoint {
  return { channel: 'slack', kind: mention ? 'slack.mention' : 'slack.channel', visibility: 'public' };
}

/** The rate-limit key: the Slack channel a send goes to (a DM not opened yet counts as its user). */
export function destinationOf(threadKey: string, replyRef: Record<string, unknown> | null): string {
  if (typeof replyRef?.channel === 'string') return replyRef.channel;
  const t = parseThreadKey(threadKey);
  if (!t) return threadKey;
  return t.kind === 'dm' ? t.user : t.channel;
}

/** A staff channel the core posts to: private, only the team reads it. */
export const postTouchpoint: Touchpoint = { channel: 'slack', kind: 'slack.channel', visibility: 'private' };

/**
 * The bot can always open a DM with a workspace member (the move from a public
 * channel to private), and post to a channel it was invited to (staff channels).
 */
export function startThread(request: StartThreadRequest): StartedThread | null {
  if (request.to.kind !== 'slack') return null;
  if (/^[UW][A-Z0-9]+$/.test(request.to.value))
    return { threadKey: dmKey(request.to.value), touchpoint: dmTouchpoint, replyRef: null };
  if (/^[CG][A-Z0-9]+$/.test(request.to.value))
    return { threadKey: postKey(request.to.value), touchpoint: postTouchpoint, replyRef: null };
  return null;
}
