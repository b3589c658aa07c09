import { optedOut } from '../outbound/outbound.ts';
import { current, type RouteContext, type RouteStep, stop } from './context.ts';

/** Never answer a machine: vacation replies, bounces and bulk mail get no automatic answer. */
export const autoReplyGuard: RouteStep = (ctx, next) => {
  const f = ctx.envelope.flags ?? {};
  if (f.autoReply || f.bounce) return stop(ctx, f.bounce ? 'bounce' : 'auto-reply');
  return next();
};

/** The bot writes nothing to a contact who opted out of this channel (the outbound chain would refuse it too). */
export const optOutGuard: RouteStep = (ctx, next) => {
  if (optedOut(ctx.contact, ctx.conversation.touchpoint.channel)) return stop(ctx, 'opted out');
  return next();
};

/** Once a person has the conversation, the bot stays quiet until it is resolved. */
export const agentOwnsGuard: RouteStep = (ctx, next) => {
  const conv = current(ctx);
  if (conv.assignee || conv.flowState?.handoff) return stop(ctx, 'agent handles');
  return next();
};

/**
 * A bot that answers another bot can loop forever: more than `max` automatic
 * replies in a conversation within `windowMs` silences the bot there.
 */
export function loopGuard(max = 20, windowMs = 10 * 60_000): RouteStep {
  return (ctx, next) => {
    const state = current(ctx).flowState ?? {};
    const recent = ((state.autoReplies as number[] | undefined) ?? []).filter((t) => ctx.now - t < windowMs);
    ctx.patch.flowState = { ...state, autoReplies: recent };
    if (recent.length >= max) return stop(ctx, 'loop guard');
    return next();
  };
}

/** Counts automatic replies for the loop guard; runs after the decision. */
export function recordAutoReplies(ctx: RouteContext): void {
  const n = ctx.replies.length;
  if (n === 0) return;
  const state = current(ctx).flowState ?? {};
  const recent = (state.autoReplies as number[] | undefined) ?? [];
  ctx.patch.flowState = { ...state, autoReplies: [...recent, ...Array<number>(n).fill(ctx.now)] };
}
