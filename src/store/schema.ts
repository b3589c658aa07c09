import type { Generated } from 'kysely';

/**
 * Table shapes as both dialects return them: times are epoch-ms numbers,
 * booleans are 0/1 integers and JSON columns hold serialised text (see rows.ts).
 */

export interface ContactsTable {
  id: string;
  name: string | null;
  vip: Generated<number>;
  language: string | null;
  timezone: string | null;
  opt_outs: string;
  attributes: string;
  created_at: number;
}

export interface IdentitiesTable {
  id: string;
  contact_id: string;
  kind: string;
  value: string;
  verified: Generated<number>;
}

/** A merge an agent or a proof made: `from_id` now lives in `into_id` (its id redirects there). */
export interface ContactMergesTable {
  id: string;
  from_id: string;
  into_id: string;
  by: string;
  at: number;
  /** What moved, as JSON (MergeRecord['moved']). */
  moved: string;
}

/** A possible match between two contacts, waiting for an agent; one row per pair, ever. */
export interface ContactSuggestionsTable {
  id: string;
  /** `min(a,b)|max(a,b)`: a pair is suggested once, whichever side noticed it. */
  pair_key: string;
  contact_id: string;
  other_id: string;
  reason: string;
  evidence: string;
  status: Generated<string>;
  created_at: number;
  decided_at: number | null;
  decided_by: string | null;
}

export interface ContactTagsTable {
  contact_id: string;
  tag: string;
}

export interface ContactHistoryTable {
  id: string;
  contact_id: string;
  /** `consent`, `opt-out` or `vip` */
  kind: string;
  channel: string | null;
  on: number;
  source: string;
  at: number;
}

export interface ConversationsTable {
  id: string;
  contact_id: string;
  channel: string;
  touchpoint_kind: string;
  visibility: string;
  thread_key: string;
  status: string;
  category: string | null;
  intent: string | null;
  priority: string;
  assignee: string | null;
  tags: string;
  links: string;
  sla: string;
  flow_state: string | null;
  reply_ref: string | null;
  created_at: number;
  updated_at: number;
  last_inbound_at: number | null;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  /** Denormalised from the conversation so provider ids are looked up per channel without a join. */
  channel: string;
  direction: string;
  author_kind: string;
  author_id: string | null;
  author_name: string | null;
  text: string;
  parts: string | null;
  attachments: string;
  provider_id: string | null;
  status: string;
  visibility: string;
  error: string | null;
  reply_ref: string | null;
  created_at: number;
}

export interface InboundEventsTable {
  id: string;
  channel: string;
  provider_id: string;
  thread_key: string;
  envelope: string;
  received_at: number;
  status: Generated<string>;
  /** With a null owner and a future `lease_until`, the event waits for a retry. */
  lease_owner: string | null;
  lease_until: number | null;
  attempts: Generated<number>;
  error: string | null;
  conversation_id: string | null;
  processed_at: number | null;
}

export interface OutboxTable {
  id: string;
  message_id: string;
  conversation_id: string;
  channel: string;
  destination: string;
  status: Generated<string>;
  due_at: number;
  attempts: Generated<number>;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  sent_at: number | null;
  failed_at: number | null;
  /** Set before the provider is called, cleared once the outcome is recorded (migration 4). */
  attempted_at: Generated<number | null>;
}

export interface TimersTable {
  id: string;
  kind: string;
  conversation_id: string | null;
  due_at: number;
  payload: string;
  key: string | null;
  status: Generated<string>;
  attempts: Generated<number>;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  completed_at: number | null;
}

/** Inbound attachments to bring from the provider into the blob store (src/attachments/). */
export interface MediaFetchesTable {
  id: string;
  message_id: string;
  conversation_id: string;
  channel: string;
  attachment_index: number;
  status: Generated<string>;
  attempts: Generated<number>;
  due_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  completed_at: number | null;
}

/** Named leases for work that must run on one instance at a time (a mailbox's IDLE, a gateway). */
export interface LocksTable {
  name: string;
  owner: string;
  expires_at: number;
}

export interface ChannelStateTable {
  scope: string;
  key: string;
  value: string;
}

/** A signed payload that could not be read; `payload` is UTF-8 text, or base64 when the bytes are not text. */
export interface UnreadableInboundTable {
  id: string;
  channel: string;
  reason: string;
  payload: string;
  payload_encoding: string;
  received_at: number;
}

export interface AgentsTable {
  id: string;
  name: string;
  role: string;
  slack_user: string | null;
  created_at: number;
}

export interface AgentTokensTable {
  id: string;
  agent_id: string;
  salt: string;
  hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actor_id: string;
  actor_role: string;
  via: string;
  action: string;
  conversation_id: string | null;
  contact_id: string | null;
  detail: string;
}

export interface ErasuresTable {
  contact_id: string;
  requested_at: number;
  requested_by: string;
  status: string;
  finished_at: number | null;
}

export interface TombstonesTable {
  digest: string;
  kind: string;
  erased_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  subscription: string;
  event_id: string;
  event_type: string;
  /** The conversation (or contact) whose events a subscriber gets in order. */
  order_key: string;
  body: string;
  status: Generated<string>;
  due_at: number;
  attempts: Generated<number>;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  sent_at: number | null;
  failed_at: number | null;
}

export interface BugsTable {
  id: string;
  tracker: string;
  key: string;
  url: string;
  title: string;
  severity: string;
  created_at: number;
  fixed_at: number | null;
}

export interface BugLinksTable {
  bug_id: string;
  conversation_id: string;
  linked_at: number;
  notified_at: number | null;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}

/** The running summary of a conversation's facts (src/facts/derive.ts). */
export interface ConversationFactsTable {
  conversation_id: string;
  channel: string;
  created_at: number;
  status: string;
  first_inbound_at: number | null;
  awaiting_since: number | null;
  last_inbound_at: number | null;
  assigned_at: number | null;
  first_bot_at: number | null;
  first_human_at: number | null;
  last_agent_at: number | null;
  agent: string | null;
  escalated: number;
  transferred: number;
  reopens: number;
  first_resolved_at: number | null;
  resolved_at: number | null;
  handle_ms: number;
  breached: number;
  first_response_due: number | null;
  next_response_due: number | null;
  resolution_due: number | null;
}

/** One fact, written once when it happened. */
export interface FactsTable {
  id: string;
  conversation_id: string;
  kind: string;
  at: number;
  started_at: number | null;
  actor: string | null;
  agent: string | null;
  breached: number | null;
  handle_ms: number | null;
  score: number | null;
  comment: string | null;
  flow: string | null;
}

/** Routers alive on one shared store (PostgreSQL), by their heartbeats. */
export interface InstancesTable {
  id: string;
  started_at: number;
  seen_at: number;
  /** Set by the router that took this one for dead, while it hands the work back. */
  dead_at: number | null;
}

/** A message to a segment of contacts (src/broadcast). */
export interface BroadcastsTable {
  id: string;
  name: string;
  channel: string;
  segment: string;
  message: string;
  quiet_hours: number;
  /** `scheduled`, `running`, `paused`, `cancelled`, `done` */
  status: string;
  start_at: number;
  /** The last contact id the segment expansion looked at: it resumes after it. */
  expand_after: string | null;
  expanded: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** One contact of a broadcast: `pending`, then `queued` (in the outbox), `skipped` (with why) or `cancelled`. */
export interface BroadcastRecipientsTable {
  id: string;
  broadcast_id: string;
  contact_id: string;
  status: string;
  due_at: number;
  reason: string | null;
  conversation_id: string | null;
  message_id: string | null;
  updated_at: number;
}

export interface ResolutionsTable {
  id: string;
  conversation_id: string;
  at: number;
  code: string;
  agent: string | null;
  category: string | null;
}

/** Crisis switches; `active` is 1 on the one switched on (unique), null once it ended. */
export interface CrisesTable {
  id: string;
  started_at: number;
  started_by: string;
  reason: string;
  ended_at: number | null;
  ended_by: string | null;
  active: number | null;
  statement: string | null;
}

/** Conversations sampled for QA review, and their scores (JSON) once given. */
export interface QaReviewsTable {
  id: string;
  round: string;
  agent: string;
  conversation_id: string;
  sampled_at: number;
  scores: string | null;
  comment: string | null;
  scored_by: string | null;
  scored_at: number | null;
}

/** Attachment blobs to delete after the commit that deleted the last message naming them (src/store/blob-sweeps.ts). */
export interface BlobSweepsTable {
  blob_key: string;
  queued_at: number;
}

export interface Database {
  broadcasts: BroadcastsTable;
  broadcast_recipients: BroadcastRecipientsTable;
  contacts: ContactsTable;
  identities: IdentitiesTable;
  contact_merges: ContactMergesTable;
  contact_suggestions: ContactSuggestionsTable;
  contact_tags: ContactTagsTable;
  contact_history: ContactHistoryTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  inbound_events: InboundEventsTable;
  outbox: OutboxTable;
  timers: TimersTable;
  channel_state: ChannelStateTable;
  locks: LocksTable;
  unreadable_inbound: UnreadableInboundTable;
  conversation_facts: ConversationFactsTable;
  facts: FactsTable;
  agents: AgentsTable;
  agent_tokens: AgentTokensTable;
  audit_log: AuditLogTable;
  erasures: ErasuresTable;
  tombstones: TombstonesTable;
  instances: InstancesTable;
  media_fetches: MediaFetchesTable;
  resolutions: ResolutionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  bugs: BugsTable;
  bug_links: BugLinksTable;
  crises: CrisesTable;
  qa_reviews: QaReviewsTable;
  blob_sweeps: BlobSweepsTable;
  schema_migrations: SchemaMigrationsTable;
}

export type StoreKind = 'sqlite' | 'postgres';
