import type { By } from '../access/audit.ts';
import type { Contact, Conversation, Identity, Message } from '../model/types.ts';
import type { QueuedReply } from '../outbox/queue-wait.ts';
import type { MergeSuggestion } from '../store/contact-records.ts';
import type { QaReview } from '../store/operations-records.ts';
import type { AgentActions } from './actions.ts';

/**
 * What the core tells an agent desk (the Slack desk today): a conversation
 * changed, after the change was committed. A notice carries no state: the desk
 * reads the conversation and its messages from the store and catches up from
 * its own durable cursor, so a lost notice only delays a post.
 */
export interface DeskNotice {
  conversationId: string;
  /** What changed it: an inbound message, an agent, a flow, a timer (SLA, snooze), a delivery outcome. */
  cause: 'inbound' | 'agent' | 'flow' | 'timer' | 'delivery';
  /** Business events raised by the change (`handoff`, `csat` …). */
  events: string[];
  /**
   * A send to the customer failed and is tried again at `nextAt` (cause
   * `delivery`). Not kept anywhere else: a lost notice loses only this line,
   * the final outcome (sent or failed) is in the store.
   */
  retry?: DeliveryRetry;
  /** A customer's file could not be fetched yet and is tried again at `nextAt`; kept nowhere else either. */
  fileRetry?: FileRetry;
}

export interface FileRetry {
  messageId: string;
  /** The attachment's place on the message. */
  index: number;
  attempt: number;
  error: string;
  nextAt: number;
}

export interface DeliveryRetry {
  messageId: string;
  /** Attempts spent so far, this one included (rate limits spend none). */
  attempt: number;
  failure: 'transient' | 'rate_limited';
  error: string;
  nextAt: number;
}

/** What a desk reads: internal notes included. */
export interface DeskReads {
  conversation(id: string): Promise<Conversation | null>;
  contact(id: string): Promise<Contact | null>;
  identities(contactId: string): Promise<Identity[]>;
  /** Messages of a conversation, oldest first, internal notes included. */
  messages(conversationId: string, opts?: { afterId?: string | null; limit?: number }): Promise<Message[]>;
  /** Conversations updated most recently, newest first (a desk's catch-up after a restart). */
  recent(limit: number): Promise<Conversation[]>;
  /** Suggested matches of this contact with another, waiting for an agent. */
  suggestions(contactId: string): Promise<MergeSuggestion[]>;
  /** The conversation's last waiting reply when it waits behind its sender's pace long enough to mention, else null. */
  queuedReply(conversationId: string): Promise<QueuedReply | null>;
  /** The bugs the conversation is linked to (the header card shows them). */
  bugs(conversationId: string): Promise<DeskBug[]>;
}

/** A bug in the tracker, as the desk shows it. */
export interface DeskBug {
  tracker: string;
  key: string;
  url: string;
  title: string;
  fixedAt: number | null;
}

/**
 * The bug tracker (src/bugs) from the desk. The tracker is asked before
 * anything is stored: its refusal is a TouchpointError with the reason, and
 * nothing is kept.
 */
export interface DeskBugs {
  /** Whether a tracker is configured now (router.yaml `bugTracker`). */
  enabled(): boolean;
  log(
    conversationId: string,
    bug: { title: string; severity: 'low' | 'normal' | 'high' | 'critical'; steps: string },
    by: By,
  ): Promise<DeskBug>;
  /** Links the conversation to a bug named by its issue number or URL. */
  link(conversationId: string, ref: string, by: By): Promise<DeskBug>;
}

/** An agent's answer to a suggested match (src/contacts/suggestions.ts); refusals are TouchpointErrors with the reason. */
export interface DeskContacts {
  accept(suggestionId: string, by: string): Promise<void>;
  reject(suggestionId: string, by: string): Promise<void>;
}

/** One knowledge-base entry found for an agent. */
export interface DeskKnowledgeHit {
  id: string;
  title: string;
  answer: string;
  url: string | null;
  score: number;
}

/** AI-drafted replies (src/drafts): shown to the agent only, never sent by themselves. */
export interface DeskDrafts {
  /** Whether knowledge.yaml turns drafts on (the desk shows its button only then). */
  enabled(): boolean;
  /** A draft reply; a TouchpointError says why there is none (timeout, endpoint error, drafts off). */
  draft(conversationId: string): Promise<{ text: string; sources: Array<{ title: string; url: string | null }> }>;
}

export type DeskQaReview = QaReview;

/** QA reviews scored from the desk (src/policies/qa-desk.ts), through the same code as the API. */
export interface DeskQa {
  /** What a review scores (reviews.yaml `qa.rubric`), in order. */
  rubric(): readonly string[];
  review(id: string): Promise<DeskQaReview | null>;
  /** Stores the scores (every rubric item, 1 to 5) with an audit entry; refusals are TouchpointErrors with the reason. */
  score(id: string, input: { scores: Record<string, number>; comment?: string }, by: string): Promise<DeskQaReview>;
}

/** Crisis mode from the desk (src/policies/crisis-desk.ts): admins switch it, anyone may look. */
export interface DeskCrisis {
  /** Whether a crisis is on, since when and by whom. */
  state(): Promise<{ on: boolean; since: number | null; by: string | null; reason: string; statement: string | null }>;
  /** Why `agent` may not switch crisis mode (not an admin), or null when they may. */
  refusal(agent: string): Promise<string | null>;
  /** The holding statements an admin may choose from (templates), the configured one first. */
  statements(): Array<{ id: string; text: string }>;
  /**
   * Switches crisis mode as `agent` (audited). A TouchpointError `forbidden` says why when the agent
   * is not an admin; `invalid_request` when the statement is not one of `statements()`.
   */
  switch(input: { agent: string; on: boolean; statement?: string; reason?: string }): Promise<{
    on: boolean;
    changed: boolean;
  }>;
}

/** The optional host capability an agent desk needs: notices, reads, the agent actions, and the outbox's limiter. */
export interface DeskHost {
  subscribe(fn: (notice: DeskNotice) => void): () => void;
  reads: DeskReads;
  actions: AgentActions;
  contacts: DeskContacts;
  /** The flows an agent may start, for a picker. */
  flows: ReadonlyArray<{ id: string; description: string | null }>;
  /** Disposition codes an agent picks when resolving (desk.yaml); none: resolving asks nothing. */
  dispositions: ReadonlyArray<{ code: string; label: string }>;
  /** The business calendar: when the business opens next (snooze until the next business morning). */
  calendar: { readonly timeZone: string; nextOpening(at: number, channel?: string): number | null };
  /** The knowledge base (knowledge.yaml and its articles), searched by agents. */
  knowledge?: {
    search(query: string, limit: number): DeskKnowledgeHit[];
    get(id: string): Omit<DeskKnowledgeHit, 'score'> | null;
  };
  drafts?: DeskDrafts;
  bugs?: DeskBugs;
  qa?: DeskQa;
  crisis?: DeskCrisis;
  /** Moves a public conversation to a private one, as the handoff rules would. */
  moveToPrivate(conversationId: string, by: string): Promise<void>;
  /** Moves an escalated conversation one tier down (desk.yaml `tiers`); the desk hears of it as of any change. */
  deescalate(conversationId: string, by: string): Promise<void>;
  /** Runs `fn` when the shared outbox limiter allows a send to `destination` on the desk's channel. */
  schedule<T>(destination: string, fn: () => Promise<T>): Promise<T>;
  /** The provider said to wait (429): nothing more goes to `destination` before `until`. */
  holdOff(destination: string, until: number): Promise<void>;
  /** The instant before which `destination` must not be sent to, or null when free. */
  heldUntil(destination: string): Promise<number | null>;
}
