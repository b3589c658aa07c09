import type { Contact } from '../model/types.ts';
import type { TemplateDef } from '../settings/schema.ts';

/** A broadcast as the store keeps it (src/broadcast gives it its meaning: segments, quiet hours, sending). */

export type BroadcastStatus = 'scheduled' | 'running' | 'paused' | 'cancelled' | 'done';
export type RecipientStatus = 'pending' | 'queued' | 'skipped' | 'cancelled';

/** What became of one recipient: queued with its message, or skipped with why. */
export interface RecipientOutcome {
  status: 'queued' | 'skipped';
  reason?: string;
  conversationId?: string;
  messageId?: string;
}

/** Who a broadcast goes to; every part given must hold (an empty segment is every contact). */
export interface Segment {
  /** Contacts with every one of these tags. */
  tags?: string[] | undefined;
  /** Contacts whose attributes have these values. */
  attributes?: Record<string, string> | undefined;
  vip?: boolean | undefined;
  /** Contacts who have a conversation on this channel. */
  channel?: string | undefined;
  /** Contacts with recorded consent for this channel (checked again at send time). */
  consent?: string | undefined;
  /** Contacts whose last message to us came at or after / before this instant (epoch ms). */
  lastContactAfter?: number | undefined;
  lastContactBefore?: number | undefined;
  /** Contacts with a conversation linked to this known issue (a bug's id: src/bugs). */
  bug?: string | undefined;
}

export interface Broadcast {
  id: string;
  name: string;
  channel: string;
  segment: Segment;
  /** The template as it was when the broadcast was made: a later config change does not alter it. */
  message: TemplateDef;
  /** Sent to each recipient only while the business is open in the recipient's own timezone. */
  quietHours: boolean;
  status: BroadcastStatus;
  startAt: number;
  /** The last contact id the expansion looked at; null before it started. */
  expandAfter: string | null;
  /** Every contact of the segment has a recipient row. */
  expanded: boolean;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export type NewBroadcast = Omit<Broadcast, 'id' | 'expandAfter' | 'expanded' | 'updatedAt'>;

export interface Recipient {
  id: string;
  broadcastId: string;
  contactId: string;
  status: RecipientStatus;
  dueAt: number;
  reason: string | null;
  conversationId: string | null;
  messageId: string | null;
}

/** Where a broadcast stands, by recipient and by what the outbox did with their messages. */
export interface BroadcastProgress {
  recipients: number;
  pending: number;
  /** Handed to the outbox: `sent` of them went out, `waiting` are still in it, `failed` were given up. */
  queued: number;
  sent: number;
  waiting: number;
  failed: number;
  skipped: number;
  cancelled: number;
}

/** Why recipients were skipped or wait (one row per reason), and how many answered: a broadcast's summary. */
export interface BroadcastOutcomes {
  /** Skipped recipients, and pending ones put off (quiet hours), by the reason kept for each. */
  reasons: Array<{ status: 'skipped' | 'pending'; reason: string; recipients: number }>;
  /** Recipients who wrote in their conversation since their message was queued. */
  replied: number;
}

/** The broadcast operations of a store transaction. */
export interface BroadcastTx {
  createBroadcast(b: NewBroadcast): Promise<Broadcast>;
  getBroadcast(id: string): Promise<Broadcast | null>;
  /** Newest first. */
  listBroadcasts(limit?: number): Promise<Broadcast[]>;
  /** Broadcasts that are scheduled and due, or running, oldest first. */
  activeBroadcasts(now: number): Promise<Broadcast[]>;
  /** Moves a broadcast to `to` only from one of `from`; false when it was in another status. */
  setBroadcastStatus(id: string, from: BroadcastStatus[], to: BroadcastStatus, now: number): Promise<boolean>;
  /** Contacts of the segment (not merged away) after `afterId` in id order, at most `limit`. */
  segmentPage(segment: Segment, afterId: string | null, limit: number): Promise<Contact[]>;
  /** How many contacts the segment holds now (before the consent check of the expansion). */
  segmentSize(segment: Segment): Promise<number>;
  /**
   * Adds recipients (a contact already in the broadcast is left alone) and records how far the expansion got,
   * in this one transaction. Returns how many were new.
   */
  addRecipients(
    broadcastId: string,
    contactIds: string[],
    upTo: string | null,
    done: boolean,
    now: number,
  ): Promise<number>;
  /** Pending recipients due by `now`, earliest first. */
  dueRecipients(broadcastId: string, now: number, limit: number): Promise<Recipient[]>;
  /**
   * Ends a recipient's pending state (queued with its message, or skipped with why); false when it was
   * not pending any more (another instance took it): then nothing is to be sent.
   */
  settleRecipient(id: string, outcome: RecipientOutcome, now: number): Promise<boolean>;
  /** Records what became of a recipient this transaction took (settleRecipient returned true). */
  recordRecipient(id: string, outcome: RecipientOutcome, now: number): Promise<void>;
  /** Puts a pending recipient off until `dueAt` (quiet hours). */
  deferRecipient(id: string, dueAt: number, reason: string, now: number): Promise<void>;
  /** Cancels every pending recipient; returns how many. */
  cancelRecipients(broadcastId: string, now: number): Promise<number>;
  /** Messages of the broadcast still in the outbox. */
  broadcastInFlight(broadcastId: string): Promise<number>;
  broadcastProgress(broadcastId: string): Promise<BroadcastProgress>;
  broadcastOutcomes(broadcastId: string): Promise<BroadcastOutcomes>;
  /** The broadcast a conversation's latest broadcast message came from, if any. */
  broadcastOfConversation(conversationId: string): Promise<{ id: string; name: string } | null>;
}
