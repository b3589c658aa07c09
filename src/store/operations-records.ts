/**
 * Crisis switches and QA reviews, as the store keeps them (src/policies/crisis*.ts
 * and src/metrics/qa*.ts give them their meaning).
 */

/** One crisis: switched on, and later off. At most one is active at a time, across every instance. */
export interface Crisis {
  id: string;
  startedAt: number;
  startedBy: string;
  reason: string;
  endedAt: number | null;
  endedBy: string | null;
  /** The holding statement (template id) chosen when it was switched on; null: crisis.yaml's. */
  statement: string | null;
}

/** One conversation sampled for a QA review, and its scores once a reviewer gave them. */
export interface QaReview {
  id: string;
  /** The sampling round (`2026-W49`): a conversation is sampled at most once a round. */
  round: string;
  agent: string;
  conversationId: string;
  sampledAt: number;
  /** Rubric item → score (1–5); null until scored. */
  scores: Record<string, number> | null;
  comment: string | null;
  scoredBy: string | null;
  scoredAt: number | null;
}

export interface ResolvedByAgent {
  agent: string;
  conversationId: string;
}

/** The crisis and QA operations of a StoreTx (src/store/operations-tx-ops.ts). */
export interface OperationsTx {
  /** The crisis switched on and not yet off, or null. */
  activeCrisis(): Promise<Crisis | null>;
  /** Switches on; the crisis already active when there is one (then nothing is written). */
  startCrisis(
    input: { id: string; by: string; reason: string; statement?: string | null },
    now: number,
  ): Promise<{ crisis: Crisis; started: boolean }>;
  /** Switches off; the crisis that ended, or null when none was active. */
  endCrisis(by: string, now: number): Promise<Crisis | null>;
  /** Crises, newest first. */
  listCrises(limit: number): Promise<Crisis[]>;
  /** Conversations resolved in [from, to) with an assignee, for sampling. */
  resolvedByAgent(from: number, to: number): Promise<ResolvedByAgent[]>;
  /** Records samples; those already sampled in the round are skipped. Returns the ones written. */
  addQaSamples(samples: Array<Omit<QaReview, 'scores' | 'comment' | 'scoredBy' | 'scoredAt'>>): Promise<QaReview[]>;
  getQaReview(id: string): Promise<QaReview | null>;
  /** False when there is no such review. A review scored again keeps the last scores. */
  scoreQaReview(
    id: string,
    input: { scores: Record<string, number>; comment: string | null; by: string },
    now: number,
  ): Promise<boolean>;
  /** Reviews sampled in [from, to), newest first. */
  listQaReviews(query: { from: number; to: number; agent?: string; limit?: number }): Promise<QaReview[]>;
}
