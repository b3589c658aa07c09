import type { Envelope } from '../../../src/channel/index.ts';
import { commentIdentityKind, type DmLink, dmIdentityKind } from '../links.ts';
import type { MetaChannel } from '../settings.ts';
import { encodeThreadKey } from '../thread-key.ts';
import type { CommentEvent, DmEvent } from './parse.ts';

/** A DM thread's reply reference; the messaging window runs from `lastInboundAt`. */
export interface DmReplyRef extends Record<string, unknown> {
  user: string;
  mid: string;
  lastInboundAt: number;
}

/** A comment thread's reply reference: public replies go under `root`, a private reply answers `comment`. */
export interface CommentReplyRef extends Record<string, unknown> {
  comment: string;
  root: string;
  commentAt: number;
  author: string;
}

/** `link` puts the DM on the private-reply thread the person is answering. */
export function dmEnvelope(channel: MetaChannel, e: DmEvent, link: DmLink | null): Envelope {
  const replyRef: DmReplyRef = { user: e.user, mid: e.mid, lastInboundAt: e.timestamp };
  return {
    channel,
    providerId: e.mid,
    touchpoint: { channel, kind: `${channel}.dm`, visibility: 'private' },
    threadKey: link?.threadKey ?? encodeThreadKey({ kind: 'dm', ours: e.ours, user: e.user }),
    from: link?.from ?? { kind: dmIdentityKind(channel), value: e.user },
    text: e.text,
    ...(e.attachments.length > 0 ? { attachments: e.attachments } : {}),
    replyRef,
    sentAt: e.timestamp,
    raw: e.raw,
  };
}

export function commentEnvelope(channel: MetaChannel, e: CommentEvent): Envelope {
  const replyRef: CommentReplyRef = { comment: e.comment, root: e.root, commentAt: e.timestamp, author: e.from.id };
  return {
    channel,
    providerId: e.comment,
    touchpoint: { channel, kind: `${channel}.comment`, visibility: 'public' },
    threadKey: encodeThreadKey({ kind: 'comment', ours: e.ours, comment: e.root }),
    from: { kind: commentIdentityKind(channel), value: e.from.id, name: e.from.name },
    text: e.text,
    replyRef,
    sentAt: e.timestamp,
    raw: e.raw,
  };
}
