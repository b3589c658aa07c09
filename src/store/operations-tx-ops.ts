import type { FactKind } from '../facts/derive.ts';
import { BroadcastTxOps } from './broadcast-tx-ops.ts';
import * as factReads from './fact-reads.ts';
import { kpiDay, type StoredKpiDays, storedKpiDays } from './kpi-days.ts';
import type { Crisis, OperationsTx, QaReview, ResolvedByAgent } from './operations-records.ts';
import { clampLimit } from './query-helpers.ts';
import { fromJsonOrNull, toJson } from './rows.ts';
import type { CrisesTable, QaReviewsTable } from './schema.ts';

const crisisFromRow = (r: CrisesTable): Crisis => ({
  id: r.id,
  startedAt: Number(r.started_at),
  startedBy: r.started_by,
  reason: r.reason,
  endedAt: r.ended_at == null ? null : Number(r.ended_at),
  endedBy: r.ended_by,
  statement: r.statement ?? null,
});

const reviewFromRow = (r: QaReviewsTable): QaReview => ({
  id: r.id,
  round: r.round,
  agent: r.agent,
  conversationId: r.conversation_id,
  sampledAt: Number(r.sampled_at),
  scores: fromJsonOrNull<Record<string, number>>(r.scores),
  comment: r.comment,
  scoredBy: r.scored_by,
  scoredAt: r.scored_at == null ? null : Number(r.scored_at),
});

/** Crisis switches and QA reviews, on top of the privacy operations. */
export class OperationsTxOps extends BroadcastTxOps implements OperationsTx {
  /** The facts the KPIs are computed from; in a transaction too, for the weekly report's timer. */
  factInputs(kinds: FactKind[], from: number, to: number): Promise<factReads.FactInputs> {
    return factReads.factInputs(this.ctx, kinds, from, to);
  }

  kpiDays(from: number, to: number): Promise<StoredKpiDays> {
    return storedKpiDays(this.ctx, from, to);
  }

  kpiDay(day: number, kinds: FactKind[], aggregate: (input: factReads.FactInputs) => string): Promise<string> {
    return kpiDay(this.ctx, day, kinds, aggregate);
  }

  openBacklog(now: number): Promise<factReads.BacklogRow[]> {
    return factReads.openBacklog(this.ctx, now);
  }

  async activeCrisis(): Promise<Crisis | null> {
    const row = await this.db.selectFrom('crises').selectAll().where('active', '=', 1).executeTakeFirst();
    return row ? crisisFromRow(row) : null;
  }

  async startCrisis(
    input: { id: string; by: string; reason: string; statement?: string | null },
    now: number,
  ): Promise<{ crisis: Crisis; started: boolean }> {
    const inserted = await this.db
      .insertInto('crises')
      .values({
        id: input.id,
        started_at: now,
        started_by: input.by,
        reason: input.reason,
        ended_at: null,
        ended_by: null,
        active: 1,
        statement: input.statement ?? null,
      })
      .onConflict((oc) => oc.column('active').doNothing())
      .executeTakeFirst();
    const crisis = await this.activeCrisis();
    if (!crisis) throw new Error('a crisis was switched on and off in the same instant');
    return { crisis, started: Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1 };
  }

  async endCrisis(by: string, now: number): Promise<Crisis | null> {
    const active = await this.activeCrisis();
    if (!active) return null;
    const ended = await this.db
      .updateTable('crises')
      .set({ ended_at: now, ended_by: by, active: null })
      .where('id', '=', active.id)
      .where('active', '=', 1)
      .executeTakeFirst();
    if (Number(ended.numUpdatedRows) !== 1) return null;
    return { ...active, endedAt: now, endedBy: by };
  }

  async listCrises(limit: number): Promise<Crisis[]> {
    const rows = await this.db
      .selectFrom('crises')
      .selectAll()
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(clampLimit(limit, 20))
      .execute();
    return rows.map(crisisFromRow);
  }

  async resolvedByAgent(from: number, to: number): Promise<ResolvedByAgent[]> {
    const rows = await this.db
      .selectFrom('conversation_facts')
      .select(['agent', 'conversation_id'])
      .where('resolved_at', '>=', from)
      .where('resolved_at', '<', to)
      .where('agent', 'is not', null)
      .where('status', 'in', ['resolved', 'closed'])
      .orderBy('conversation_id')
      .execute();
    return rows.map((r) => ({ agent: r.agent as string, conversationId: r.conversation_id }));
  }

  async addQaSamples(
    samples: Array<Omit<QaReview, 'scores' | 'comment' | 'scoredBy' | 'scoredAt'>>,
  ): Promise<QaReview[]> {
    const written: QaReview[] = [];
    for (const s of samples) {
      const r = await this.db
        .insertInto('qa_reviews')
        .values({
          id: s.id,
          round: s.round,
          agent: s.agent,
          conversation_id: s.conversationId,
          sampled_at: s.sampledAt,
          scores: null,
          comment: null,
          scored_by: null,
          scored_at: null,
        })
        .onConflict((oc) => oc.columns(['round', 'conversation_id']).doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1)
        written.push({ ...s, scores: null, comment: null, scoredBy: null, scoredAt: null });
    }
    return written;
  }

  async getQaReview(id: string): Promise<QaReview | null> {
    const row = await this.db.selectFrom('qa_reviews').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? reviewFromRow(row) : null;
  }

  async scoreQaReview(
    id: string,
    input: { scores: Record<string, number>; comment: string | null; by: string },
    now: number,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('qa_reviews')
      .set({ scores: toJson(input.scores), comment: input.comment, scored_by: input.by, scored_at: now })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async listQaReviews(query: { from: number; to: number; agent?: string; limit?: number }): Promise<QaReview[]> {
    const rows = await this.db
      .selectFrom('qa_reviews')
      .selectAll()
      .where('sampled_at', '>=', query.from)
      .where('sampled_at', '<', query.to)
      .$if(query.agent !== undefined, (q) => q.where('agent', '=', query.agent as string))
      .orderBy('sampled_at', 'desc')
      .orderBy('id')
      .limit(clampLimit(query.limit, 500))
      .execute();
    return rows.map(reviewFromRow);
  }
}
