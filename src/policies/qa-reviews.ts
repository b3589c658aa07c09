import { randomInt } from 'node:crypto';
import { qaReviewPart } from '../channel/qa-part.ts';
import { newId } from '../ids.ts';
import type { ReviewSettings } from '../settings/operations-schema.ts';
import type { StoreTx } from '../store/contract.ts';
import type { QaReview, ResolvedByAgent } from '../store/operations-records.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import { postToBoard } from './board.ts';
import type { PolicyKit } from './kit.ts';
import { nextWeekly, roundOf } from './weekly.ts';

/**
 * Weekly QA reviews (reviews.yaml `qa`): a keyed timer fires on the sampling
 * day; it picks up to `perAgent` random conversations each agent resolved in
 * the 7 days before, keeps them as reviews to score (against the rubric),
 * posts each to the QA channel, and sets itself for the next week, all in
 * the timer's transaction. A round samples a conversation at most once, so a
 * timer fired again after a crash adds nothing.
 */

export const QA_SAMPLE = 'qa.sample';
const WEEK = 7 * 86_400_000;

/** Up to `n` of `items`, uniformly at random (partial Fisher–Yates). */
export function sample<T>(items: readonly T[], n: number, pick: (max: number) => number = randomInt): T[] {
  const a = [...items];
  const k = Math.min(n, a.length);
  for (let i = 0; i < k; i++) {
    const j = i + pick(a.length - i);
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a.slice(0, k);
}

export function sampleByAgent(rows: readonly ResolvedByAgent[], perAgent: number): ResolvedByAgent[] {
  const byAgent = new Map<string, ResolvedByAgent[]>();
  for (const r of rows) byAgent.set(r.agent, [...(byAgent.get(r.agent) ?? []), r]);
  return [...byAgent.keys()].sort().flatMap((agent) => sample(byAgent.get(agent) ?? [], perAgent));
}

/** Takes this week's samples and posts them; the reviews written (none when the round ran already). */
export async function takeQaSamples(
  tx: StoreTx,
  kit: PolicyKit,
  qa: NonNullable<ReviewSettings['qa']>,
  now: number,
): Promise<QaReview[]> {
  const round = roundOf(now);
  const picked = sampleByAgent(await tx.resolvedByAgent(now - WEEK, now), qa.perAgent);
  const written = await tx.addQaSamples(
    picked.map((p) => ({ id: newId(), round, agent: p.agent, conversationId: p.conversationId, sampledAt: now })),
  );
  if (qa.post) {
    for (const r of written) {
      const contact = await customerOf(tx, r.conversationId);
      const text =
        `QA review ${r.id}: a conversation ${r.agent} resolved (${contact}, conversation ${r.conversationId}). ` +
        `Score it (${qa.rubric.join(', ')}) with its Score button where the channel shows one, or on the dashboard's QA page.`;
      await postToBoard(tx, kit, qa.post, text, now, [qaReviewPart(r.id)]);
    }
  }
  kit.log.info({ round, reviews: written.length }, 'QA samples taken');
  return written;
}

async function customerOf(tx: StoreTx, conversationId: string): Promise<string> {
  const c = await tx.getConversation(conversationId);
  const contact = c ? await tx.getContact(c.contactId) : null;
  return `${contact?.name ?? 'a customer'} on ${c?.touchpoint.channel ?? '?'}`;
}

/** Sets the next weekly QA round, replacing a pending one (the key): at start and after each round. */
export async function scheduleQaRound(tx: StoreTx, kit: PolicyKit, now: number): Promise<void> {
  const qa = kit.policies.reviews.qa;
  if (!qa?.enabled) {
    await tx.cancelTimerByKey(QA_SAMPLE);
    return;
  }
  const dueAt = nextWeekly(kit.settings.business.timezone, qa.day, qa.at, now);
  await tx.scheduleTimer({ kind: QA_SAMPLE, dueAt, key: QA_SAMPLE }, now);
}

export function createQaTimerHandlers(kit: PolicyKit): Record<string, TimerHandler> {
  return {
    [QA_SAMPLE]: async (_timer, tx) => {
      const qa = kit.policies.reviews.qa;
      const now = kit.clock.now();
      if (qa?.enabled) await takeQaSamples(tx, kit, qa, now);
      await scheduleQaRound(tx, kit, now + 1);
    },
  };
}
