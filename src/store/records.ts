import type { Attachment, Contact, Conversation, ConversationStatus, Envelope, Message } from '../model/types.ts';

/** The records the store's queues and reads hand out (the interfaces are in contract.ts). */
export interface NewInbound {
  channel: string;
  providerId: string;
  /** Serialisation key: events with the same key are routed one at a time, in order. */
  threadKey: string;
  envelope: Envelope;
  receivedAt: number;
}

export interface InboundEvent {
  id: string;
  channel: string;
  providerId: string;
  threadKey: string;
  envelope: Envelope;
  receivedAt: number;
  attempts: number;
}

export type InboundStatus = 'pending' | 'done' | 'failed';

/** A signed provider payload (or one event of a batch) that could not be read, kept for inspection. */
export interface NewUnreadable {
  channel: string;
  /** Why it could not be read. */
  reason: string;
  /** The bytes as received, or the JSON of one event of a batch. */
  payload: Buffer | string;
  receivedAt: number;
}

export interface UnreadableInbound {
  id: string;
  channel: string;
  reason: string;
  /** The payload as received: text, or base64 when it is not valid UTF-8 text. */
  payload: string;
  encoding: 'utf8' | 'base64';
  receivedAt: number;
}

/**
 * Whether an event may be routed now, asked inside the routing transaction
 * after the thread lock: `route` when it is pending, not leased to another
 * worker, and the oldest pending event of its thread; `skip` when it is done
 * or another worker holds it; `wait` when an earlier event of its thread is
 * still pending (it is left for a later claim, which keeps the thread's order).
 */
export type InboundTurn = 'route' | 'skip' | 'wait';

/** Inbound events stored for one router to take from memory: claimable by `owner` at any time, by others once `until` has passed. */
export interface Reservation {
  owner: string;
  until: number;
}

export interface Lease {
  owner: string;
  now: number;
  leaseMs: number;
  limit: number;
}

/** One inbound attachment to fetch from its provider into the blob store. */
export interface MediaFetch {
  id: string;
  messageId: string;
  conversationId: string;
  channel: string;
  /** Which of the message's attachments. */
  index: number;
  /** The attachment as the message holds it now; null when the message is gone (erased). */
  attachment: Attachment | null;
  /** Failed tries so far. */
  attempts: number;
  dueAt: number;
}

export interface OutboxJob {
  id: string;
  messageId: string;
  conversationId: string;
  channel: string;
  destination: string;
  dueAt: number;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  /**
   * When an earlier send of this row started whose outcome was never recorded
   * (a crash, an uncertain failure): the provider is asked before it is sent again.
   */
  attemptedAt: number | null;
}

/**
 * An outbox row written leased to this process's own worker, with what its
 * send needs, so the worker is handed it after commit instead of claiming and
 * reading it back.
 */
export interface AdoptedOutbound {
  job: OutboxJob;
  leaseUntil: number;
  message: Message;
  conversation: Conversation;
}

export interface TransactionOptions {
  /** Outbox rows enqueued with their message and conversation are leased to `owner` for `leaseMs` and listed in `adopted`. */
  adopt?: { owner: string; leaseMs: number; adopted: AdoptedOutbound[] };
}

export interface DeadLetter extends OutboxJob {
  text: string;
  failedAt: number;
  /** Whom the message was for: the conversation's contact, by its identities (`destination` is the rate-limit key, often our own number). */
  customer: string;
}

export interface Timer {
  id: string;
  /** What fires: `flow.wait`, `sla.first_response`, `snooze` … Handlers are looked up by kind. */
  kind: string;
  conversationId: string | null;
  dueAt: number;
  payload: Record<string, unknown>;
  /** Optional unique key: scheduling the same key again replaces the pending timer. */
  key: string | null;
  attempts: number;
}

export interface NewTimer {
  kind: string;
  conversationId?: string | null;
  dueAt: number;
  payload?: Record<string, unknown>;
  key?: string | null;
}

export type NewConversation = Omit<Conversation, 'id' | 'createdAt' | 'updatedAt'>;
export type ConversationPatch = Partial<Omit<Conversation, 'id' | 'contactId' | 'createdAt'>>;
export type NewMessage = Omit<Message, 'id' | 'createdAt'> & { createdAt?: number };
export type { BrowsedConversation, BrowseQuery } from './browse.ts';
export type { ContactQuery } from './contacts.ts';
export type ContactPatch = Partial<Omit<Contact, 'id' | 'createdAt'>>;

export interface ConversationQuery {
  status?: ConversationStatus[];
  channel?: string;
  limit?: number;
  /** Conversations updated strictly before this instant (for paging, newest first). */
  before?: number;
}
