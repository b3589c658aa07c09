import { z } from 'zod';
import { type Actor, audit } from '../access/audit.ts';
import { badRequest, notFound } from '../errors.ts';
import type { ReviewSettings } from '../settings/operations-schema.ts';
import type { StoreTx } from '../store/contract.ts';
import type { QaReview } from '../store/operations-records.ts';

const DEFAULT_RUBRIC = ['greeting', 'identity check', 'accuracy', 'tone', 'SOP followed', 'resolution'];

/** What a review scores: reviews.yaml's rubric, or the SOP's when QA reviews are not configured. */
export const rubricOf = (reviews: ReviewSettings): readonly string[] => reviews.qa?.rubric ?? DEFAULT_RUBRIC;

/** A score for every rubric item, 1 to 5, and an optional comment. */
export const scoreBody = z
  .object({
    scores: z.record(z.string().min(1).max(60), z.number().int().min(1).max(5)),
    comment: z.string().trim().max(2000).optional(),
  })
  .strict();

/** Scores a review in the caller's transaction, with an audit entry. Every rubric item must be scored, none other. */
export async function scoreReview(
  tx: StoreTx,
  id: string,
  input: z.infer<typeof scoreBody>,
  rubric: readonly string[],
  actor: Actor,
  now: number,
): Promise<QaReview> {
  const review = await tx.getQaReview(id);
  if (!review) throw notFound(`no QA review ${id}`);
  const missing = rubric.filter((item) => input.scores[item] === undefined);
  const unknown = Object.keys(input.scores).filter((item) => !rubric.includes(item));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [
      ...(missing.length > 0 ? [`missing ${missing.map((m) => `"${m}"`).join(', ')}`] : []),
      ...(unknown.length > 0 ? [`not in the rubric: ${unknown.map((m) => `"${m}"`).join(', ')}`] : []),
    ];
    throw badRequest(`scores must cover the rubric (${rubric.join(', ')}): ${parts.join('; ')}`, 'invalid_scores');
  }
  const comment = input.comment ? input.comment : null;
  await tx.scoreQaReview(id, { scores: input.scores, comment, by: actor.name }, now);
  await audit(tx, actor, 'qa.score', { conversationId: review.conversationId }, { review: id }, now);
  return { ...review, scores: input.scores, comment, scoredBy: actor.name, scoredAt: now };
}

export interface AgentQa {
  agent: string;
  sampled: number;
  scored: number;
  /** Mean of every score given (1–5); null before any. */
  average: number | null;
  /** Mean per rubric item. */
  byItem: Record<string, number | null>;
}

/** Reviews per agent: how many were sampled and scored, and the mean scores. */
export function qaByAgent(reviews: readonly QaReview[], rubric: readonly string[]): AgentQa[] {
  const agents = [...new Set(reviews.map((r) => r.agent))].sort();
  const mean = (xs: number[]) =>
    xs.length === 0 ? null : Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;
  return agents.map((agent) => {
    const mine = reviews.filter((r) => r.agent === agent);
    const scored = mine.flatMap((r) => (r.scores ? [r.scores] : []));
    const byItem: Record<string, number | null> = {};
    for (const item of rubric) byItem[item] = mean(scored.flatMap((s) => (s[item] === undefined ? [] : [s[item]])));
    return {
      agent,
      sampled: mine.length,
      scored: scored.length,
      average: mean(scored.flatMap((s) => Object.values(s))),
      byItem,
    };
  });
}
