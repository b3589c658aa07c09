import type { Priority } from '../model/types.ts';
import type { Classifier } from './classify.ts';
import { current, type RouteContext, type RouteHook } from './context.ts';
import { flowHook, languageHook, replyCancelsHook } from './flow-hooks.ts';

export { flowHook };

const rank: Record<Priority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

/** Never answer a machine: vacation replies, bounces and bulk mail get no automatic answer. */
export const autoReplyGuard: RouteHook = (ctx) => {
  const f = ctx.envelope.flags ?? {};
  if (f.autoReply || f.bounce) ctx.silence = f.bounce ? 'bounce' : 'auto-reply';
};

export const optOutGuard: RouteHook = (ctx) => {
  const outs = ctx.contact.optOuts;
  if (outs.includes('*') || outs.includes(ctx.conversation.touchpoint.channel)) ctx.silence = 'opted out';
};

export function classifyHook(classifier: Classifier): RouteHook {
  return (ctx) => {
    const c = classifier.classify(ctx.envelope.text);
    ctx.classification = c;
    if (c.intent) ctx.patch.intent = c.intent;
    if (c.category && !current(ctx).category) ctx.patch.category = c.category;
    if (c.priority && rank[c.priority] > rank[current(ctx).priority]) ctx.patch.priority = c.priority;
  };
}

/** Once a person has the conversation, the bot stays quiet until it is resolved. */
export const agentOwnsGuard: RouteHook = (ctx) => {
  const conv = current(ctx);
  if (conv.assignee || conv.flowState?.handoff) ctx.silence = 'agent handles';
};

/**
 * A bot that answers another bot can loop forever: more than `max` automatic
 * replies in a conversation within `windowMs` silences the bot there.
 */
export function loopGuard(max = 20, windowMs = 10 * 60_000): RouteHook {
  return (ctx) => {
    const state = current(ctx).flowState ?? {};
    const recent = ((state.autoReplies as number[] | undefined) ?? []).filter((t) => ctx.now - t < windowMs);
    if (recent.length >= max) ctx.silence = 'loop guard';
    ctx.patch.flowState = { ...state, autoReplies: recent };
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

/**
 * The order matters: machines are never answered; bookkeeping (language,
 * follow-ups a reply cancels) happens even when the
 * bot then stays quiet; the flows run last.
 */
export function defaultHooks(classifier: Classifier): RouteHook[] {
  return [
    autoReplyGuard,
    classifyHook(classifier),
    languageHook,
    replyCancelsHook,
    optOutGuard,
    agentOwnsGuard,
    loopGuard(),
    flowHook,
  ];
}
