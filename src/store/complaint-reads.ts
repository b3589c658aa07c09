import { type Ctx, PENDING } from './query-helpers.ts';

/** A complaint quoted in an alert: its conversation and the customer's first words. */
export interface ComplaintExample {
  conversationId: string;
  channel: string;
  text: string;
  at: number;
}

/**
 * Conversations opened in [from, to) on public touchpoints whose intent or
 * category is one of `labels`: how many, and the latest `latest` of them
 * with the customer's first message.
 */
export async function publicComplaints(
  ctx: Ctx,
  labels: string[],
  from: number,
  to: number,
  latest: number,
): Promise<{ count: number; latest: ComplaintExample[] }> {
  if (labels.length === 0) return { count: 0, latest: [] };
  const base = ctx.db
    .selectFrom('conversation_facts as s')
    .innerJoin('conversations as c', 'c.id', 's.conversation_id')
    .where('s.created_at', '>=', from)
    .where('s.created_at', '<', to)
    .where('c.visibility', '=', 'public')
    .where((eb) => eb.or([eb('c.intent', 'in', labels), eb('c.category', 'in', labels)]));
  const counted = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  if (latest === 0) return { count: Number(counted?.n ?? 0), latest: [] };
  const rows = await base
    .select(['c.id', 'c.channel', 's.created_at'])
    .select((eb) =>
      eb
        .selectFrom('messages as m')
        .select('m.text')
        .whereRef('m.conversation_id', '=', 'c.id')
        .where('m.direction', '=', 'inbound')
        .orderBy('m.created_at')
        .limit(1)
        .as('text'),
    )
    .orderBy('s.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(latest)
    .execute();
  return {
    count: Number(counted?.n ?? 0),
    latest: rows.map((r) => ({
      conversationId: r.id,
      channel: r.channel,
      text: r.text ?? '',
      at: Number(r.created_at),
    })),
  };
}

/** Whether a timer with this key is waiting to fire. */
export async function timerPending(ctx: Ctx, key: string): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('timers')
    .select('id')
    .where('key', '=', key)
    .where('status', '=', PENDING)
    .executeTakeFirst();
  return row !== undefined;
}
