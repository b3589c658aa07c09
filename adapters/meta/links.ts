import type { IdentityRef } from '../../src/channel/index.ts';
import type { MetaChannel } from './settings.ts';

/**
 * What the adapter remembers (in the host's durable state) about private
 * replies: that a comment was answered privately (Meta allows it once), and
 * which person (PSID/IGSID, learned from the Send API's answer) now writes
 * on the private thread, so their DMs continue that conversation.
 */
export interface PrivateReplySent {
  /** The person's messaging id, from the Send API's `recipient_id`; null when Meta did not say. */
  user: string | null;
  at: number;
}

/** A person's DMs that belong to a private-reply thread, and who they are there. */
export interface DmLink {
  threadKey: string;
  from: IdentityRef & { name?: string | null };
}

export const sentKey = (ours: string, comment: string) => `private-reply:${ours}:${comment}`;
export const linkKey = (ours: string, user: string) => `dm-link:${ours}:${user}`;

/** How a person is known on each channel: Messenger PSIDs differ from the ids on Page comments. */
export const dmIdentityKind = (channel: MetaChannel) => (channel === 'facebook' ? 'messenger' : 'instagram');
export const commentIdentityKind = (channel: MetaChannel) => (channel === 'facebook' ? 'facebook' : 'instagram');
