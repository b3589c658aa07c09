import type { Fact, FactKind } from '../facts/derive.ts';
import type {
  Attachment,
  Contact,
  Conversation,
  ConversationStatus,
  DeliveryStatus,
  Identity,
  IdentityRef,
  Message,
} from '../model/types.ts';
import type { AccessTx, PrivacyTx } from './access-records.ts';
import type { BlobSweepRecords } from './blob-sweeps.ts';
import type { BroadcastTx } from './broadcast-records.ts';
import type { BrowsedConversation, BrowseQuery } from './browse.ts';
import type { BugRecords } from './bug-records.ts';
import type { ComplaintExample } from './complaint-reads.ts';
import type {
  ContactChange,
  ContactChangeKind,
  MergeRecord,
  MergeSuggestion,
  MovedRows,
  NewSuggestion,
  SuggestionStatus,
} from './contact-records.ts';
import type { ContactQuery } from './contacts.ts';
import type { DeskTx } from './desk-records.ts';
import type { BacklogRow, ConversationFactQuery, ConversationFactRow, FactInputs, FactRow } from './fact-reads.ts';
import type { FeedbackRow } from './feedback-reads.ts';
import type { InstanceRegistry } from './instances.ts';
import type { StoredKpiDays } from './kpi-days.ts';
import type { OperationsTx } from './operations-records.ts';
import type { OperationalStats } from './ops-stats.ts';
import type { OutEvents } from './out-events.ts';
import type { OutboxQueues } from './outbox-queue.ts';
import type { ChannelScope, PruneResult, RetentionKind } from './retention.ts';
import type { ReleasedLeases } from './timers.ts';
import type { WebhookQueue } from './webhook-deliveries.ts';

/**
 * The one store interface. SQLite (embedded default) and PostgreSQL (scale-out)
 * implement it and pass the same contract suite (test/store/contract.ts).
 * All times are epoch milliseconds taken from the caller's clock, never the database's.
 */

export type * from './records.ts';

import type {
  ContactPatch,
  ConversationPatch,
  ConversationQuery,
  DeadLetter,
  InboundEvent,
  InboundStatus,
  InboundTurn,
  Lease,
  MediaFetch,
  NewConversation,
  NewInbound,
  NewMessage,
  NewTimer,
  NewUnreadable,
  OutboxJob,
  Reservation,
  Timer,
  TransactionOptions,
  UnreadableInbound,
} from './records.ts';

/** Everything one routing decision reads and writes, inside one transaction. */
export interface StoreTx extends AccessTx, PrivacyTx, BroadcastTx, DeskTx, OperationsTx {
  /**
   * Serialises work on one thread across processes (PostgreSQL advisory lock
   * held until the transaction ends); a no-op where one process owns the store.
   */
  lockThread(channel: string, threadKey: string): Promise<void>;
  /**
   * lockThread for several threads in one round trip, taken in one order
   * everywhere, so two transactions locking overlapping sets never wait on
   * each other in a cycle.
   */
  lockThreads(threads: ReadonlyArray<{ channel: string; threadKey: string }>): Promise<void>;
  /** Bugs logged in the tracker and the conversations linked to them. */
  readonly bugs: BugRecords;
  /** Attachment blobs waiting to be deleted once no message names them. */
  readonly blobSweeps: BlobSweepRecords;

  /** Marks an address nothing may be sent to any more (a hard bounce), with why; null lifts it. */
  suppress(channel: string, address: string, reason: { reason: string; at: number } | null): Promise<void>;
  /** Why an address is suppressed, or null when messages may go to it. */
  suppressed(channel: string, address: string): Promise<{ reason: string; at: number } | null>;

  findContactByIdentity(identity: IdentityRef): Promise<Contact | null>;
  /** Creates a contact with its first identity. */
  createContact(
    contact: Partial<Omit<Contact, 'id' | 'createdAt'>>,
    identity: IdentityRef,
    now: number,
  ): Promise<Contact>;
  addIdentity(contactId: string, identity: IdentityRef): Promise<void>;
  /** Every identity of a contact (how else to reach them), verified ones first. */
  listIdentities(contactId: string): Promise<Identity[]>;
  updateContact(id: string, patch: ContactPatch): Promise<void>;
  getContact(id: string): Promise<Contact | null>;
  /** The identity of this kind and value, whichever contact owns it. */
  findIdentity(identity: Pick<IdentityRef, 'kind' | 'value'>): Promise<Identity | null>;
  /** Removes one identity of a contact; false when the contact has no such identity. */
  removeIdentity(contactId: string, identityId: string): Promise<boolean>;
  /** Contacts not merged away whose name is `name`, ignoring case, oldest first. */
  findContactsByName(name: string, limit: number): Promise<Contact[]>;
  /** Records a possible match for an agent; null when the pair was suggested before (pending or decided). */
  suggestMerge(suggestion: NewSuggestion, now: number): Promise<MergeSuggestion | null>;
  listSuggestions(query: { status?: SuggestionStatus; contactId?: string; limit?: number }): Promise<MergeSuggestion[]>;
  getSuggestion(id: string): Promise<MergeSuggestion | null>;
  /** Accepts or rejects a pending suggestion; false when it was no longer pending. */
  decideSuggestion(id: string, status: 'accepted' | 'rejected', by: string, now: number): Promise<boolean>;
  /** Moves identities, conversations (with their timers) and tags from one contact to another. */
  moveContactRows(fromId: string, intoId: string): Promise<MovedRows>;
  /** Records a merge: from then on `fromId` redirects to `intoId`. */
  recordMerge(record: Omit<MergeRecord, 'id'>): Promise<MergeRecord>;
  /** Where a merged-away contact id lives now (following merges), or null when it was never merged away. */
  mergedInto(id: string): Promise<string | null>;
  /** The merges a contact took part in, oldest first. */
  listMerges(contactId: string): Promise<MergeRecord[]>;
  tagsOf(contactId: string): Promise<string[]>;
  addTags(contactId: string, tags: string[]): Promise<void>;
  removeTags(contactId: string, tags: string[]): Promise<void>;
  /** Contacts not merged away, newest first, filtered by a search (name or identity), a tag, VIP. */
  listContacts(query: ContactQuery): Promise<Contact[]>;
  /** Ids of `table` starting with `prefix`, in order, at most `limit`. */
  idsWithPrefix(table: 'contacts' | 'conversations', prefix: string, limit: number): Promise<string[]>;
  /** Records a change of consent, opt-out or VIP, with who or what made it. */
  recordContactChange(change: Omit<ContactChange, 'id'>): Promise<ContactChange>;
  /** A contact's recorded changes, oldest first, optionally only of some kinds. */
  contactHistory(contactId: string, kinds?: readonly ContactChangeKind[]): Promise<ContactChange[]>;

  /** The conversation holding any of our messages with these provider ids on this channel. */
  findConversationByProviderIds(channel: string, providerIds: string[]): Promise<Conversation | null>;
  /** The most recently updated conversation on this thread whose status is one of `statuses`. */
  findConversationByThread(
    channel: string,
    threadKey: string,
    statuses: ConversationStatus[],
  ): Promise<Conversation | null>;
  /**
   * A contact's conversations on every channel, most recently updated first,
   * optionally only those with one of `statuses` or on `channel` (at most `limit`, default 100).
   */
  findConversationsOfContact(
    contactId: string,
    opts?: { statuses?: ConversationStatus[]; channel?: string; limit?: number },
  ): Promise<Conversation[]>;
  getConversation(id: string): Promise<Conversation | null>;
  createConversation(conversation: NewConversation, now: number): Promise<Conversation>;
  updateConversation(id: string, patch: ConversationPatch, now: number): Promise<void>;

  insertMessage(message: NewMessage, now: number): Promise<Message>;
  /** A fact a decision states outright (a CSAT answer); the others are derived as messages and changes are written. */
  recordFact(conversationId: string, kind: FactKind, at: number, more: Partial<Fact>): Promise<void>;
  /** A provider's delivery report (or a bounce) for one of our messages. Returns the message, if known. */
  updateDelivery(
    channel: string,
    providerId: string,
    status: DeliveryStatus,
    error: string | null,
  ): Promise<Message | null>;
  /**
   * Queues a message for sending; the row is written in this same transaction.
   * Given the message and its conversation as written, a transaction that
   * adopts outbound rows (TransactionOptions.adopt) leases the row to its worker.
   */
  enqueueOutbound(
    job: { messageId: string; conversationId: string; channel: string; destination: string; dueAt: number },
    now: number,
    sending?: { message: Message; conversation: Conversation },
  ): Promise<OutboxJob>;

  /** Schedules a timer; with a `key`, replaces the pending timer of the same key. */
  scheduleTimer(timer: NewTimer, now: number): Promise<Timer>;
  /** Cancels pending timers of a conversation whose kind starts with `kindPrefix`; returns how many. */
  cancelTimers(conversationId: string, kindPrefix: string): Promise<number>;
  cancelTimerByKey(key: string): Promise<boolean>;
  /** Whether a timer with this key is waiting to fire. */
  timerPending(key: string): Promise<boolean>;
  /** Conversations opened in [from, to) on public touchpoints with one of `labels` as intent or category: how many, and the latest `latest`. */
  publicComplaints(
    labels: string[],
    from: number,
    to: number,
    latest: number,
  ): Promise<{ count: number; latest: ComplaintExample[] }>;
  completeTimer(id: string, now: number): Promise<void>;
  /** What the KPIs of [from, to) read: the facts, the conversations opened and first resolved in it. */
  factInputs(kinds: FactKind[], from: number, to: number): Promise<FactInputs>;
  /** The stored KPI days (src/store/kpi-days.ts) in [from, to), and when the first conversation opened. */
  kpiDays(from: number, to: number): Promise<StoredKpiDays>;
  /** One closed day's KPI inputs as `aggregate` sums them: stored, or read, summed and stored in one transaction. */
  kpiDay(day: number, kinds: FactKind[], aggregate: (input: FactInputs) => string): Promise<string>;
  /** The open conversations, with what the backlog KPIs read, judged at `now`. */
  openBacklog(now: number): Promise<BacklogRow[]>;

  /** See InboundTurn. A claimed event is `owner`'s; a reserved one is its reservation owner's. */
  inboundTurn(
    event: Pick<InboundEvent, 'id' | 'channel' | 'threadKey' | 'receivedAt'>,
    owner: string,
    now: number,
  ): Promise<InboundTurn>;
  completeInbound(eventId: string, now: number, conversationId: string | null): Promise<void>;
  /** Puts a dead letter back in the queue, due now. False when no such dead letter exists. */
  retryDeadLetter(jobId: string, now: number): Promise<boolean>;
}

export interface Store extends StoreTx, InstanceRegistry, OutboxQueues {
  readonly kind: 'sqlite' | 'postgres';
  /** The webhook subscriptions events are written for, in the transaction of each change (out-events.ts). */
  readonly outEvents: OutEvents;
  /** The webhooks out waiting, sent and dead. */
  readonly webhooks: WebhookQueue;

  /** Applies pending forward-only migrations; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  transaction<T>(fn: (tx: StoreTx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Resolves once every commit made before the call would survive a crash or
   * a power cut. Await it before acting outside the store on what was
   * committed: acknowledging inbound events, sending what was decided.
   */
  durable(): Promise<void>;

  /**
   * Stores inbound events in one transaction (group commit), deduplicated on
   * (channel, providerId). Results are in input order. Resolves once committed:
   * wait for `durable()` before acknowledging them. With a reservation, the new
   * events are stored reserved for that router.
   */
  insertInbound(events: NewInbound[], reserve?: Reservation): Promise<Array<{ eventId: string; duplicate: boolean }>>;
  /**
   * Leases pending events, oldest first, skipping any whose thread has an
   * earlier pending event leased by another owner (so one thread is routed in
   * order). Events reserved for `owner` count as free for it.
   */
  claimInbound(lease: Lease): Promise<InboundEvent[]>;
  /** Records a routing failure: retried after `retryAt`, or marked failed when `final`. */
  failInbound(eventId: string, error: string, retryAt: number, final: boolean): Promise<void>;
  countInbound(status: InboundStatus): Promise<number>;
  /** Keeps a payload that could not be read; resolves once committed (wait for `durable()` before answering). */
  keepUnreadable(record: NewUnreadable): Promise<string>;
  /** Kept unreadable payloads, newest first. */
  listUnreadable(limit?: number): Promise<UnreadableInbound[]>;

  /** Leases due outbox rows, earliest due first. */
  claimOutbox(lease: Lease): Promise<OutboxJob[]>;

  /** Leases due attachment fetches (queued with each inbound message that links files), earliest first. */
  claimMediaFetches(lease: Lease): Promise<MediaFetch[]>;
  /**
   * Writes a fetch's outcome onto its attachment (`blobKey`, `sha256`, `size`, or `error`) and completes it,
   * while `owner` holds its lease; false when the lease or the message is gone.
   */
  finishMediaFetch(fetch: MediaFetch, owner: string, patch: Partial<Attachment>, now: number): Promise<boolean>;
  /** Puts a failed fetch back, due at `dueAt`, keeping the error. */
  retryMediaFetch(id: string, owner: string, dueAt: number, error: string): Promise<void>;
  /** When the next pending fetch is due (or its lease runs out); null when none is pending. */
  nextMediaFetchAt(): Promise<number | null>;
  pendingMediaFetches(): Promise<number>;
  /** The message and conversation an adapter needs for one job, and the thread's earlier provider ids when asked. */
  loadOutbound(
    job: OutboxJob,
    opts?: { references?: boolean },
  ): Promise<{ message: Message; conversation: Conversation; references: string[] } | null>;
  /** The provider ids of the customer-visible messages before `message` in its conversation, oldest first. */
  threadReferences(message: Message): Promise<string[]>;
  markSent(jobId: string, providerId: string | null, status: DeliveryStatus, now: number): Promise<void>;
  /**
   * Records that a send of the job is about to start (keeping the time of an
   * earlier unconfirmed one); resolves once that is durable, when the provider may be called.
   */
  markAttempted(jobId: string, now: number): Promise<void>;
  /**
   * Extends the lease of a pending job `owner` still holds to `until`; false when the lease
   * is no longer its own (another worker claimed the row) or the job is done.
   */
  renewOutboxLease(jobId: string, owner: string, until: number): Promise<boolean>;
  /** Frees a pending job's lease for the next claim, only while `owner` still holds it. */
  releaseOutboxLease(jobId: string, owner: string): Promise<void>;
  /**
   * Puts a job back for later; `countAttempt` false for rate limits (they are not the job's fault).
   * `settled`: the provider answered that it did not take the message, which clears the job's unconfirmed attempt.
   */
  rescheduleOutbox(
    jobId: string,
    dueAt: number,
    error: string,
    countAttempt: boolean,
    settled?: boolean,
  ): Promise<void>;
  /** Gives up on a job; `settled` as for rescheduleOutbox (an unconfirmed attempt stays for a retry to check). */
  deadLetter(jobId: string, error: string, now: number, settled?: boolean): Promise<void>;
  /** The provider ids recorded for the customer-visible messages of a conversation. */
  sentProviderIds(conversationId: string): Promise<string[]>;
  listDeadLetters(limit?: number): Promise<DeadLetter[]>;
  countOutbox(status: 'pending' | 'sent' | 'dead'): Promise<number>;

  /** Due timers, earliest first; kinds that start with one of `skipKinds` (paused by a crisis) stay where they are. */
  claimTimers(lease: Lease, skipKinds?: readonly string[]): Promise<Timer[]>;
  /** Puts a timer back after its handler failed. */
  rescheduleTimer(id: string, dueAt: number, error: string): Promise<void>;

  /** Earliest instant at which an outbox row or timer falls due (or a lease expires), for sleeping until then. */
  nextDueAt(skipKinds?: readonly string[]): Promise<number | null>;
  /** Drops this owner's leases so another worker (or the next start) takes the rows at once. */
  releaseLeases(owner: string): Promise<ReleasedLeases>;

  listConversations(query: ConversationQuery): Promise<Conversation[]>;
  /** The owner's filtered conversation list, newest activity first, paged by a keyset cursor. */
  browseConversations(query: BrowseQuery): Promise<BrowsedConversation[]>;
  /** Queue depths and ages, dead letters, late timers and size on disk, for /metrics. */
  operationalStats(now: number): Promise<OperationalStats>;
  /** Facts of the given kinds that happened in [from, to), with the dimensions KPIs break down by. */
  factsBetween(kinds: FactKind[], from: number, to: number): Promise<FactRow[]>;
  /** Per-conversation fact summaries: opened or first resolved in [from, to), or the open backlog. */
  conversationFacts(query: ConversationFactQuery): Promise<ConversationFactRow[]>;
  /** Conversations opened in [from, to) with one of `intents` or one of `tags` (product feedback), oldest first, at most 10,000. */
  labelledConversations(q: { from: number; to: number; intents: string[]; tags: string[] }): Promise<FeedbackRow[]>;
  listMessages(
    conversationId: string,
    opts?: { afterId?: string | null; limit?: number; includeInternal?: boolean },
  ): Promise<Message[]>;
  /** The customer-visible messages of the latest conversation on a thread, oldest first. */
  threadHistory(
    channel: string,
    threadKey: string,
    opts?: { afterId?: string | null; limit?: number },
  ): Promise<Message[]>;

  /**
   * Takes a named lock until `now + ttlMs` when it is free or expired, or renews
   * it for its owner. True when `owner` holds it. For work that must run on one
   * instance at a time; a dead holder's lock is taken over once it expires.
   */
  acquireLock(name: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  releaseLock(name: string, owner: string): Promise<void>;

  getState<T>(scope: string, key: string): Promise<T | null>;
  setState(scope: string, key: string, value: unknown): Promise<void>;

  /** What retention would remove now on `scope`, older than `cutoff` (src/store/retention.ts). */
  countExpired(kind: RetentionKind, scope: ChannelScope, cutoff: number): Promise<number>;
  /** Attachment blobs a run would delete now (named by no message the limit keeps). */
  countExpiredBlobs(kind: RetentionKind, scope: ChannelScope, cutoff: number): Promise<number>;
  /** Removes one batch of at most `limit` expired rows in its own transaction; `rows` 0 when none are left. */
  pruneExpired(kind: RetentionKind, scope: ChannelScope, cutoff: number, limit: number): Promise<PruneResult>;
  /** SQLite in incremental auto-vacuum: gives up to `pages` free pages back; returns the free pages left. */
  reclaimSpace(pages: number): Promise<number>;
}
