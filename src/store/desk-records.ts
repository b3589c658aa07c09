import { newId } from '../ids.ts';
import type { Ctx } from './query-helpers.ts';

/**
 * The desk's own records: the disposition each resolution was given, and the
 * open workload per agent that assignment weighs. Dispositions hold codes and
 * references only; the agent's note is an internal note on the conversation.
 */

export interface Resolution {
  id: string;
  conversationId: string;
  at: number;
  /** A disposition code of desk.yaml. */
  code: string;
  agent: string | null;
  /** The conversation's category when it was resolved. */
  category: string | null;
}

export type NewResolution = Omit<Resolution, 'id'>;

export interface DeskTx {
  recordResolution(r: NewResolution): Promise<Resolution>;
  /** Resolutions with a disposition in [from, to), oldest first. */
  resolutionsBetween(from: number, to: number): Promise<Resolution[]>;
  /** Live (open, pending or snoozed) conversations per assignee, for the given agents; 0 for none. */
  openCounts(agents: string[]): Promise<Map<string, number>>;
}

const LIVE = ['open', 'pending', 'snoozed'];
/** A report reads at most this many resolutions at once. */
const MAX_ROWS = 100_000;

export async function recordResolution(ctx: Ctx, r: NewResolution): Promise<Resolution> {
  const row = { id: newId(), ...r };
  await ctx.db
    .insertInto('resolutions')
    .values({
      id: row.id,
      conversation_id: r.conversationId,
      at: r.at,
      code: r.code,
      agent: r.agent,
      category: r.category,
    })
    .execute();
  return row;
}

export async function resolutionsBetween(ctx: Ctx, from: number, to: number): Promise<Resolution[]> {
  const rows = await ctx.db
    .selectFrom('resolutions')
    .selectAll()
    .where('at', '>=', from)
    .where('at', '<', to)
    .orderBy('at')
    .limit(MAX_ROWS)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    conversationId: r.conversation_id,
    at: Number(r.at),
    code: r.code,
    agent: r.agent,
    category: r.category,
  }));
}

export async function openCounts(ctx: Ctx, agents: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>(agents.map((a) => [a, 0]));
  if (agents.length === 0) return out;
  const rows = await ctx.db
    .selectFrom('conversations')
    .select((eb) => ['assignee', eb.fn.countAll().as('n')])
    .where('assignee', 'in', agents)
    .where('status', 'in', LIVE)
    .groupBy('assignee')
    .execute();
  for (const r of rows) if (r.assignee) out.set(r.assignee, Number(r.n));
  return out;
}
