import { type Actor, audit } from '../access/audit.ts';
import { HttpError, notFound } from '../errors.ts';
import type { TemplateDef } from '../settings/schema.ts';
import type { Broadcast, BroadcastProgress, BroadcastStatus } from '../store/broadcast-records.ts';
import type { Store } from '../store/contract.ts';
import { type CreateBody, newBroadcast } from './definition.ts';
import { type SummaryEvent, scheduleSummary } from './desk-summary.ts';
import { withBugResolved } from './segment-bug.ts';

/** A broadcast with where it stands: what the API answers and the CLI prints. */
export interface BroadcastView extends Omit<Broadcast, 'message'> {
  progress: BroadcastProgress;
}

export async function viewOf(store: Store, b: Broadcast): Promise<BroadcastView> {
  const { message: _message, ...rest } = b;
  return { ...rest, progress: await store.broadcastProgress(b.id) };
}

export async function getView(store: Store, id: string): Promise<BroadcastView> {
  const b = await store.getBroadcast(id);
  if (!b) throw notFound(`no broadcast ${id}`);
  return viewOf(store, b);
}

export async function createBroadcast(
  store: Store,
  body: CreateBody,
  ctx: { templates: Record<string, TemplateDef>; channels: readonly string[]; actor: Actor; now: number },
): Promise<BroadcastView> {
  const draft = newBroadcast(body, { ...ctx, by: ctx.actor.agentId });
  const created = await store.transaction(async (tx) => {
    const b = await tx.createBroadcast({ ...draft, segment: await withBugResolved(tx, draft.segment) });
    await audit(tx, ctx.actor, 'broadcast.create', {}, { broadcastId: b.id, channel: b.channel }, ctx.now);
    return b;
  });
  return viewOf(store, created);
}

export type Control = 'pause' | 'resume' | 'cancel';

const MOVES: Record<Control, { from: BroadcastStatus[]; to: BroadcastStatus; event: SummaryEvent }> = {
  pause: { from: ['scheduled', 'running'], to: 'paused', event: 'paused' },
  resume: { from: ['paused'], to: 'running', event: 'resumed' },
  cancel: { from: ['scheduled', 'running', 'paused'], to: 'cancelled', event: 'cancelled' },
};

/**
 * Pause, resume or cancel, with its audit entry and the desk's summary
 * (desk-summary.ts). A cancel also cancels every pending recipient in the same
 * transaction; messages already in the outbox (at most the runner's window)
 * still go out.
 */
export async function controlBroadcast(
  store: Store,
  id: string,
  control: Control,
  ctx: { actor: Actor; now: number },
): Promise<BroadcastView> {
  const move = MOVES[control];
  await store.transaction(async (tx) => {
    const b = await tx.getBroadcast(id);
    if (!b) throw notFound(`no broadcast ${id}`);
    if (!(await tx.setBroadcastStatus(id, move.from, move.to, ctx.now))) {
      throw new HttpError(409, 'broadcast_state', `broadcast ${id} is ${b.status}: it cannot ${control}`);
    }
    const cancelled = control === 'cancel' ? await tx.cancelRecipients(id, ctx.now) : 0;
    await scheduleSummary(tx, id, move.event, ctx.now);
    await audit(tx, ctx.actor, `broadcast.${control}`, {}, { broadcastId: id, cancelled }, ctx.now);
  });
  return getView(store, id);
}
