import { type Actor, audit } from '../access/audit.ts';
import { current, currentContact, type RouteContext } from '../decide/context.ts';
import { parseDuration } from '../duration.ts';
import { HttpError } from '../errors.ts';
import type { Conversation } from '../model/types.ts';
import type { DeskTier } from '../settings/desk-schema.ts';
import type { StoreTx } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import type { PolicyKit } from './kit.ts';
import { loadLocked } from './oncall.ts';
import { note } from './staff.ts';

/**
 * Tiers (desk.yaml `tiers`): a handed-off conversation starts at the first
 * tier; a message that meets any criterion of a higher tier moves it there
 * at once — the tier's team becomes the handoff's team (the desk routes by
 * it), and the thread gets a note with the reasons and the context. An agent
 * moves it one tier down again with "de-escalate". Both moves are audited
 * (the rules' through `desk.tier`, a timer due at once, since a routing step
 * has no transaction of its own) and tell the desk, which moves the thread.
 */

export const TIER_TIMER = 'desk.tier';
/** The audit log's actor for a move the tier criteria decide. */
export const TIER_RULES: Actor = { agentId: 'tiers', name: 'the tier rules', role: 'system', via: 'desk' };

const QUOTE = 200;
const handoffOf = (c: Conversation) => c.flowState?.handoff as Record<string, unknown> | undefined;

export function tierIndex(tiers: DeskTier[], c: Conversation): number {
  const at = tiers.findIndex((t) => t.name === c.flowState?.tier);
  return Math.max(0, at);
}

function reasonsFor(ctx: RouteContext, tier: DeskTier, sentiment: number): string[] {
  const c = current(ctx);
  const w = tier.when;
  const out: string[] = [];
  if (c.category !== null && w.categories.includes(c.category)) out.push(`category ${c.category}`);
  if (w.priorities.includes(c.priority)) out.push(`priority ${c.priority}`);
  if (w.vip === true && currentContact(ctx).vip) out.push('VIP customer');
  if (w.sentimentAtOrBelow !== undefined && sentiment <= w.sentimentAtOrBelow)
    out.push(`sentiment ${sentiment} ≤ ${w.sentimentAtOrBelow}`);
  if (w.unresolvedFor !== undefined && ctx.now - c.createdAt >= parseDuration(w.unresolvedFor))
    out.push(`unresolved for over ${w.unresolvedFor}`);
  return out;
}

/** Moves a handed-off conversation up to the highest tier whose criteria the message meets. */
export function tierUp(kit: PolicyKit, ctx: RouteContext): void {
  const tiers = kit.policies.desk.tiers;
  const c = current(ctx);
  const handoff = handoffOf(c);
  if (tiers.length < 2 || !handoff) return;
  const from = tierIndex(tiers, c);
  const sentiment = kit.sentiment.score(ctx.envelope.text);
  for (let i = tiers.length - 1; i > from; i--) {
    const tier = tiers[i] as DeskTier;
    const reasons = reasonsFor(ctx, tier, sentiment);
    if (reasons.length === 0) continue;
    const team = tier.team ?? (handoff.team as string | null | undefined) ?? null;
    ctx.patch.flowState = { ...c.flowState, tier: tier.name, handoff: { ...handoff, team } };
    if (!c.tags.includes('escalated')) ctx.patch.tags = [...c.tags, 'escalated'];
    const said = ctx.envelope.text.slice(0, QUOTE);
    ctx.replies.push({
      author: 'system',
      internal: true,
      text:
        `Escalated to ${tier.name}${team ? ` (team ${team})` : ''}: ${reasons.join(', ')}. ` +
        `Context: category ${c.category ?? 'none'}, priority ${c.priority}, from ${tiers[from]?.name}; the customer wrote: "${said}"`,
    });
    const detail = { from: tiers[from]?.name ?? null, to: tier.name, reasons };
    ctx.events.push({ type: 'tier', data: { tier: tier.name, from: detail.from, reasons } });
    ctx.timers.push({ kind: TIER_TIMER, dueAt: ctx.now, key: `desk-tier:${c.id}:${tier.name}`, payload: detail });
    return;
  }
}

/** One tier down, by an agent; 409 when the conversation is at the first tier. */
export async function deescalateIn(
  tx: StoreTx,
  kit: PolicyKit,
  conversationId: string,
  actor: Actor,
  now: number,
): Promise<Conversation> {
  const c = await loadLocked(tx, conversationId);
  if (!c) throw new HttpError(404, 'not_found', `no conversation ${conversationId}`);
  const tiers = kit.policies.desk.tiers;
  const from = tierIndex(tiers, c);
  const to = tiers[from - 1];
  if (!to)
    throw new HttpError(409, 'conversation_not_live', `conversation ${conversationId} is not above the first tier`);
  const handoff = handoffOf(c);
  const flowState = {
    ...c.flowState,
    tier: to.name,
    ...(handoff ? { handoff: { ...handoff, team: to.team ?? null } } : {}),
  };
  const tags = from - 1 === 0 ? c.tags.filter((t) => t !== 'escalated') : c.tags;
  await tx.updateConversation(c.id, { flowState, tags }, now);
  const fromName = tiers[from]?.name ?? null;
  await audit(
    tx,
    actor,
    'deescalate',
    { conversationId: c.id, contactId: c.contactId },
    { from: fromName, to: to.name },
    now,
  );
  await note(tx, c.id, `De-escalated by ${actor.name}: ${fromName} → ${to.name}.`, now);
  return { ...c, flowState, tags };
}

/** The audit entry of an escalation by the criteria, written in its own transaction right after the decision. */
export function createTierTimerHandlers(kit: PolicyKit): Record<string, TimerHandler> {
  return {
    [TIER_TIMER]: async (timer, tx) => {
      const c = timer.conversationId ? await tx.getConversation(timer.conversationId) : null;
      if (!c) return;
      const about = { conversationId: c.id, contactId: c.contactId };
      await audit(tx, TIER_RULES, 'escalate.tier', about, timer.payload, kit.clock.now());
    },
  };
}
