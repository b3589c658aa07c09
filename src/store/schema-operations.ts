import type { Generated } from 'kysely';

/** The tables of access, privacy, integrations, facts, outreach and the desk's procedure (the rest in schema.ts). */

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

/** A closed UTC day's KPI inputs, aggregated (src/metrics/kpi-cells.ts); deleted by any write that changes them. */
export interface KpiDaysTable {
  /** The day's first instant (epoch ms, UTC midnight). */
  day: number;
  /** The day's cells as JSON. */
  cells: string;
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
