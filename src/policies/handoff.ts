import { current, type RouteContext, type RouteStep, stop, tap } from '../decide/context.ts';
import { badRequest, notFound } from '../errors.ts';
import type { Contact, Conversation, Message } from '../model/types.ts';
import { DIVERT_TIMER } from '../outbound/public-guard.ts';
import type { StoreTx } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import { openingVars } from './after-hours.ts';
import {
  handoffReasons,
  INVITED_TAG,
  isMovedOrMoving,
  MOVED_FROM_TAG,
  MOVED_TAG,
  MOVING_TAG,
  movedTo,
  ruleFor,
  ruleOrDefault,
} from './handoff-rules.ts';
import { type PolicyKit, staffIdOf } from './kit.ts';
import { loadLocked } from './oncall.ts';
import { selectPrivateRoute } from './route-select.ts';
import { stopClocks } from './sla.ts';
import { clockTimers, policyFor } from './sla-clock.ts';
import { note } from './staff.ts';

/**
 * Public-to-private handoff. A public message that is a complaint, negative,
 * or holds or asks for personal data is answered once in public, and the
 * conversation continues on the best private route, linked both ways. The
 * routing hook only decides (and silences the bot in public); the move itself
 * is a `handoff.move` timer due at once, written in the same transaction, so
 * it runs with the store at hand and is never lost.
 */

export const MOVE_TIMER = 'handoff.move';

export interface MoveRequest {
  reason: string;
  by: string;
  /** The customer's words, kept as a note in the private conversation. */
  context?: string;
  /** Overrides the rule's public reply template. */
  template?: string;
  /** A reply the guard refused in public: delivered in the private conversation instead. */
  divert?: { text: string; author: Message['author'] };
  /** A person takes the private conversation (a complaint, an agent's move): the bot stays quiet there. */
  toPerson?: boolean;
}

export type MoveResult =
  | { status: 'moved'; privateConversationId: string; via: string; channel: string }
  | { status: 'already-moved'; privateConversationId: string }
  | { status: 'invited' }
  | { status: 'no-route' };

/** Asks for the move from a routing decision: one timer per conversation, and the bot stays quiet in public. */
export function requestMove(ctx: RouteContext, request: MoveRequest): void {
  const conv = current(ctx);
  ctx.timers.push({
    kind: MOVE_TIMER,
    conversationId: conv.id,
    dueAt: ctx.now,
    key: `handoff:${conv.id}`,
    payload: { ...request },
  });
  ctx.patch.tags = [...new Set([...conv.tags, MOVING_TAG])];
  ctx.events.push({ type: 'handoff.private', data: { reason: request.reason, by: request.by } });
}

/** Runs before the flows: public messages that should not be answered in public move private. */
export function handoffStep(kit: PolicyKit): RouteStep {
  return (ctx, next) => {
    const conv = current(ctx);
    if (conv.touchpoint.visibility !== 'public' || staffIdOf(ctx.contact)) return next();
    if (isMovedOrMoving(conv)) return stop(ctx, 'moved to a private conversation');
    const rule = ruleFor(kit.policies.handoff, conv.touchpoint.kind);
    if (!rule) return next();
    const reasons = handoffReasons(kit, rule, {
      text: ctx.envelope.text,
      intent: ctx.classification?.intent ?? conv.intent,
    });
    if (reasons.length === 0) return next();
    // invited to message us privately already: one public reply is all they get
    if (!conv.tags.includes(INVITED_TAG))
      requestMove(ctx, {
        reason: reasons.join(', '),
        by: 'policy',
        context: ctx.envelope.text,
        toPerson: reasons.some((r) => r === 'complaint' || r === 'negative'),
      });
    stop(ctx, 'moving to a private conversation');
  };
}

/** Runs after the flows: a flow's `private` step raises `move-to-private`. */
export function flowMoveStep(): RouteStep {
  return tap((ctx) => {
    const event = ctx.events.find((e) => e.type === 'move-to-private');
    const conv = current(ctx);
    if (!event || conv.touchpoint.visibility !== 'public' || isMovedOrMoving(conv)) return;
    const d = event.data ?? {};
    requestMove(ctx, {
      reason: typeof d.reason === 'string' ? d.reason : 'flow',
      by: 'flow',
      context: ctx.envelope.text,
      ...(typeof d.template === 'string' ? { template: d.template } : {}),
    });
  });
}

/** Moves a public conversation to a private one (or invites a DM), in the caller's transaction. */
export async function moveConversation(
  tx: StoreTx,
  kit: PolicyKit,
  publicId: string,
  request: MoveRequest,
  now: number,
): Promise<MoveResult> {
  const pub = await loadLocked(tx, publicId);
  if (!pub) throw notFound(`no conversation ${publicId}`);
  if (pub.touchpoint.visibility !== 'public')
    throw badRequest(`conversation ${publicId} is already private`, 'not_public');
  const contact = await tx.getContact(pub.contactId);
  if (!contact) throw notFound(`conversation ${publicId} has no contact`);
  const author = { kind: 'system' as const, name: kit.settings.business.name };
  const already = movedTo(pub);
  if (already) {
    const priv = await tx.getConversation(already);
    if (priv && request.divert) await kit.outbound.send(tx, { conversation: priv, contact, ...request.divert }, now);
    return { status: 'already-moved', privateConversationId: already };
  }
  const rule = ruleOrDefault(kit.policies.handoff, pub.touchpoint.kind);
  const route = await selectPrivateRoute(tx, kit, pub, contact, rule);
  const tags = pub.tags.filter((t) => t !== MOVING_TAG);
  if (!route) {
    if (request.divert) {
      // never post again in public for a refused reply: an invite refused in turn would loop
      await note(
        tx,
        pub.id,
        `A reply was kept back (${request.reason}) and no private route exists: answer this person privately.`,
        now,
      );
      await tx.updateConversation(pub.id, { tags }, now);
      return { status: 'no-route' };
    }
    const invite = kit.render(
      rule.invite,
      { channel: pub.touchpoint.channel, language: contact.language },
      { name: contact.name },
    );
    await kit.outbound.send(tx, { conversation: pub, contact, text: invite, author }, now);
    await tx.updateConversation(pub.id, { tags: [...new Set([...tags, INVITED_TAG])] }, now);
    await note(
      tx,
      pub.id,
      `No private route to this person: invited them to send a direct message (${request.reason}).`,
      now,
    );
    return { status: 'invited' };
  }

  const handoff = request.toPerson ? { team: null, reason: request.reason, flow: null, at: now } : null;
  const priv = await openPrivate(tx, kit, pub, contact, { ...route.thread, handoff }, tags, now);
  const context = request.context ? ` They wrote: "${request.context}"` : '';
  await note(
    tx,
    priv.id,
    `Moved from a public ${pub.touchpoint.kind} conversation by ${request.by} (${request.reason}).${context}`,
    now,
  );
  const vars = { name: contact.name, ...openingVars(kit, route.channel, contact, now) };
  const first = kit.render(rule.privateMessage, { channel: route.channel, language: contact.language }, vars);
  await kit.outbound.send(tx, { conversation: priv, contact, text: first, author }, now);
  if (request.divert) await kit.outbound.send(tx, { conversation: priv, contact, ...request.divert }, now);
  const publicReply = kit.render(
    request.template ?? rule.reply,
    { channel: pub.touchpoint.channel, language: contact.language },
    { name: contact.name },
  );
  await kit.outbound.send(tx, { conversation: pub, contact, text: publicReply, author }, now);

  await stopClocks(tx, pub, now);
  await tx.updateConversation(
    pub.id,
    {
      links: [...pub.links, { rel: 'moved-to', conversationId: priv.id }],
      tags: [...new Set([...tags, MOVED_TAG])],
      status: 'resolved',
    },
    now,
  );
  await note(tx, pub.id, `Moved to a private conversation on ${route.channel} (${route.via}): ${request.reason}.`, now);
  return { status: 'moved', privateConversationId: priv.id, via: route.via, channel: route.channel };
}

/**
 * The private conversation on the route's thread, carrying over category, priority, tags and the SLA clocks;
 * with `handoff`, handed to a person as a flow's `handoff` step would.
 */
async function openPrivate(
  tx: StoreTx,
  kit: PolicyKit,
  pub: Conversation,
  contact: Contact,
  thread: {
    threadKey: string;
    touchpoint: Conversation['touchpoint'];
    replyRef: Record<string, unknown> | null;
    handoff: Record<string, unknown> | null;
  },
  tags: string[],
  now: number,
): Promise<Conversation> {
  const carried = {
    category: pub.category,
    intent: pub.intent,
    priority: pub.priority,
    assignee: pub.assignee,
    tags: [...new Set([...tags.filter((t) => t !== MOVED_TAG), MOVED_FROM_TAG])],
    sla: pub.sla,
  };
  const link = { rel: 'moved-from', conversationId: pub.id };
  const live = ['open', 'pending', 'snoozed', 'resolved'] as const;
  const existing = await tx.findConversationByThread(thread.touchpoint.channel, thread.threadKey, [...live]);
  let priv: Conversation;
  if (existing) {
    const patch = {
      ...carried,
      ...(thread.handoff ? { flowState: { ...(existing.flowState ?? {}), handoff: thread.handoff } } : {}),
      status: 'open' as const,
      links: [...existing.links, link],
      tags: [...new Set([...existing.tags, ...carried.tags])],
    };
    await tx.updateConversation(existing.id, patch, now);
    priv = { ...existing, ...patch };
  } else {
    priv = await tx.createConversation(
      {
        contactId: contact.id,
        touchpoint: thread.touchpoint,
        threadKey: thread.threadKey,
        status: 'open',
        ...carried,
        links: [link],
        flowState: thread.handoff ? { handoff: thread.handoff } : null,
        replyRef: thread.replyRef,
        lastInboundAt: null,
      },
      now,
    );
  }
  // the customer has waited since their public message: the clocks run on where they were
  const policy = policyFor(kit, priv, contact.vip);
  if (policy) {
    const clocks = [
      ['firstResponse', priv.sla.firstRespondedAt ? null : priv.sla.firstResponseDue],
      ['nextResponse', priv.sla.nextResponseDue],
      ['resolution', priv.sla.resolutionDue],
    ] as const;
    for (const [clock, due] of clocks) {
      if (due == null) continue;
      for (const t of clockTimers(kit, policy, priv, clock, due, now)) await tx.scheduleTimer(t, now);
    }
  }
  return priv;
}

export function createHandoffTimerHandlers(kit: PolicyKit): Record<string, TimerHandler> {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    [MOVE_TIMER]: async (timer, tx) => {
      if (!timer.conversationId) return;
      const p = timer.payload;
      const request: MoveRequest = { reason: text(p.reason) ?? 'policy', by: text(p.by) ?? 'policy' };
      if (text(p.context)) request.context = text(p.context) as string;
      if (text(p.template)) request.template = text(p.template) as string;
      if (p.toPerson === true) request.toPerson = true;
      const result = await moveConversation(tx, kit, timer.conversationId, request, kit.clock.now());
      kit.log.info({ conversationId: timer.conversationId, ...result }, 'public conversation handed off');
    },
    [DIVERT_TIMER]: async (timer, tx) => {
      if (!timer.conversationId) return;
      const p = timer.payload;
      const author = (p.author as Message['author'] | undefined) ?? { kind: 'system' };
      const request: MoveRequest = {
        reason: `a public reply was refused: it ${text(p.reason) ?? 'holds personal data'}`,
        by: 'guard',
        divert: { text: text(p.text) ?? '', author },
      };
      const result = await moveConversation(tx, kit, timer.conversationId, request, kit.clock.now());
      kit.log.info({ conversationId: timer.conversationId, ...result }, 'refused public reply routed private');
    },
  };
}
