import type { Generated } from 'kysely';
import type {
  AgentsTable,
  AgentTokensTable,
  AuditLogTable,
  BlobSweepsTable,
  BroadcastRecipientsTable,
  BroadcastsTable,
  BugLinksTable,
  BugsTable,
  ConversationFactsTable,
  CrisesTable,
  ErasuresTable,
  FactsTable,
  InstancesTable,
  KpiDaysTable,
  QaReviewsTable,
  ResolutionsTable,
  TombstonesTable,
  WebhookDeliveriesTable,
} from './schema-operations.ts';

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

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}

export type * from './schema-operations.ts';

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
  kpi_days: KpiDaysTable;
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
