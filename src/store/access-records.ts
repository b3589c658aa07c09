import type { IdentityRef } from '../model/types.ts';
import type { CsatAnswer, ErasedRows } from './privacy-tx-ops.ts';
/**
 * Agent accounts, their API tokens and the audit log, as the store keeps them
 * (src/access/ gives them their meaning: hashing, roles, who may do what).
 */

export type Role = 'agent' | 'admin';

export interface AgentAccount {
  /** A short stable id (`ann`): what conversations name as assignee and the desk config as `agent`. */
  id: string;
  /** The display name replies carry. */
  name: string;
  role: Role;
  /** The Slack user this agent acts as on the desk, when linked. */
  slackUser: string | null;
  createdAt: number;
}

/** A token as stored: never the token itself, only its lookup id, salt and keyed hash. */
export interface AgentTokenRecord {
  id: string;
  agentId: string;
  salt: string;
  hash: string;
  createdAt: number;
  revokedAt: number | null;
}

/** Where an action came from: `api`, `cli`, `dashboard`, or the desk's channel (`slack`). */
export type Via = string;

/** One line of the append-only audit log: who did what, when and from where. Never customer content. */
export interface AuditEntry {
  id: string;
  at: number;
  actorId: string;
  actorRole: Role | 'system';
  via: Via;
  /** `reply`, `note`, `assign`, `resolve`, `snooze`, `merge`, `export`, `erase`, `retry`, `token.create` … */
  action: string;
  conversationId: string | null;
  contactId: string | null;
  /** What the action changed, by reference: ids, statuses, times; never a message's text. */
  detail: Record<string, unknown>;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

export interface AuditQuery {
  actorId?: string;
  action?: string;
  conversationId?: string;
  contactId?: string;
  /** Entries strictly before this instant (paging, newest first). */
  before?: number;
  limit?: number;
}

/** The access operations of a StoreTx (src/store/access-tx-ops.ts). The audit log is append and read only. */
export interface AccessTx {
  /** False when an agent with this id (or this Slack user) exists already. */
  createAgent(account: AgentAccount): Promise<boolean>;
  getAgent(id: string): Promise<AgentAccount | null>;
  listAgents(): Promise<AgentAccount[]>;
  /** False when there is no such agent. */
  updateAgent(id: string, patch: Partial<Pick<AgentAccount, 'name' | 'role' | 'slackUser'>>): Promise<boolean>;
  addAgentToken(token: AgentTokenRecord): Promise<void>;
  getAgentToken(id: string): Promise<AgentTokenRecord | null>;
  /** Revokes every live token of an agent; returns how many were live. */
  revokeAgentTokens(agentId: string, now: number): Promise<number>;
  /** How many live tokens each agent holds. */
  liveTokenCounts(): Promise<Map<string, number>>;
  appendAudit(entry: NewAuditEntry, now: number): Promise<AuditEntry>;
  /** Audit entries, newest first. */
  listAudit(query: AuditQuery): Promise<AuditEntry[]>;
}

/** The privacy operations of a StoreTx (src/store/privacy-tx-ops.ts): erasures as durable jobs, tombstones. */
export interface PrivacyTx {
  /** Records the erasure job and tombstones the identities; false when it was requested before (the tombstones are still written). */
  requestErasure(contactId: string, by: string, identities: IdentityRef[], now: number): Promise<boolean>;
  erasureStatus(contactId: string): Promise<{ status: 'pending' | 'done'; finishedAt: number | null } | null>;
  /** Contacts whose erasure was requested and not finished. */
  pendingErasures(): Promise<string[]>;
  /** Whether this identity (or message, `event:<channel>` + provider id) belonged to an erased contact. */
  isTombstoned(identity: Pick<IdentityRef, 'kind' | 'value'>): Promise<boolean>;
  /** The person wrote again: their identity is theirs to use as a new contact. */
  liftTombstone(identity: Pick<IdentityRef, 'kind' | 'value'>): Promise<void>;
  /** Removes every row holding the contact's words or identities, keeping anonymous shells for the metrics. Idempotent. */
  eraseContactRows(contactId: string, now: number): Promise<ErasedRows>;
  finishErasure(contactId: string, now: number): Promise<void>;
  /** Empties a stored inbound event's envelope, keeping the row for deduplication. */
  forgetInbound(eventId: string): Promise<void>;
  csatAnswers(conversationIds: string[]): Promise<CsatAnswer[]>;
}
