import { formatOpening } from '../calendar/format.ts';
import { current, type RouteContext, type RouteStep, stop, tap } from '../decide/context.ts';
import { answerText } from '../knowledge/answer-text.ts';
import type { Contact } from '../model/types.ts';
import { PAGE_TIMER, pageKey } from '../people/paging.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import { type PolicyKit, staffIdOf } from './kit.ts';
import { loadLocked, pageInProgress } from './oncall.ts';

/**
 * After-hours triage (triage.yaml). Outside opening hours a conversation gets
 * one acknowledgement per closed period, naming the real next opening in the
 * customer's timezone, plus matching knowledge-base answers; urgent messages
 * page on-call; the rest are snoozed until the opening, when a timer puts
 * them back in the queue (SLA clocks count business time, so they wait too).
 */

export const WAKE_TIMER = 'afterhours.wake';
export const URGENT_TAG = 'urgent';
export const AFTER_HOURS_TAG = 'after-hours';

/** `{opening}` for templates: the next opening as the customer reads it, when we are closed now. */
export function openingVars(
  kit: PolicyKit,
  channel: string,
  contact: Contact,
  now: number,
): { opening: string | null } {
  if (kit.calendar.isOpen(now, channel)) return { opening: null };
  const at = kit.calendar.nextOpening(now, channel);
  if (at === null) return { opening: null };
  const text = formatOpening(at, now, {
    businessTimeZone: kit.settings.business.timezone,
    customerTimeZone: contact.timezone,
    language: contact.language ?? kit.settings.business.language,
  });
  return { opening: text };
}

const skip = (ctx: RouteContext) => {
  const f = ctx.envelope.flags ?? {};
  return f.autoReply || f.bounce || f.echo || staffIdOf(ctx.contact) !== null;
};

/**
 * Urgency (keywords, patterns, sentiment; VIP outside hours) raises the
 * priority to urgent; outside opening hours it also pages on-call. Runs
 * early, before the guards that silence the bot, so a page never waits on them.
 */
export function urgencyStep(kit: PolicyKit): RouteStep {
  return tap((ctx) => {
    const u = kit.policies.triage.urgency;
    if (!u || !kit.urgency || skip(ctx)) return;
    const conv = current(ctx);
    const channel = conv.touchpoint.channel;
    const closed = !kit.calendar.isOpen(ctx.now, channel);
    const reasons: string[] = [];
    if (kit.urgency.matches(ctx.envelope.text)) reasons.push('urgent words');
    if (u.sentimentAtOrBelow !== null && kit.sentiment.score(ctx.envelope.text) <= u.sentimentAtOrBelow)
      reasons.push('very negative');
    if (closed && u.vip && ctx.contact.vip) reasons.push('VIP');
    if (reasons.length === 0) return;
    ctx.patch.priority = 'urgent';
    ctx.patch.tags = [...new Set([...conv.tags, URGENT_TAG])];
    ctx.events.push({ type: 'urgent', data: { reasons } });
    if (!closed || !u.page || !kit.policies.triage.afterHours?.enabled) return;
    const window = kit.calendar.nextOpening(ctx.now, channel);
    if (pageInProgress(ctx.conversation, window)) return;
    ctx.timers.push({
      kind: PAGE_TIMER,
      conversationId: conv.id,
      dueAt: ctx.now,
      key: pageKey(conv.id),
      payload: { reason: reasons.join(', '), text: ctx.envelope.text, window },
    });
    ctx.events.push({ type: 'oncall.page', data: { reasons } });
  });
}

/** Outside opening hours: acknowledge once per closed period, answer from the knowledge base, queue for the opening. */
export function afterHoursStep(kit: PolicyKit): RouteStep {
  return (ctx, next) => {
    const ah = kit.policies.triage.afterHours;
    if (!ah?.enabled || skip(ctx)) return next();
    const conv = current(ctx);
    const channel = conv.touchpoint.channel;
    const { now } = ctx;
    if (kit.calendar.isOpen(now, channel)) return next();
    // Self-service flows (order status, hours, prices) answer at any hour; the after-hours reply is for the rest.
    if (kit.flowAnswers?.(ctx)) return next();
    const opening = kit.calendar.nextOpening(now, channel);
    const urgent = ctx.events.some((e) => e.type === 'urgent');
    const to = { channel, language: ctx.contact.language };
    const vars = { name: ctx.contact.name, ...openingVars(kit, channel, ctx.contact, now) };

    if (!acknowledgedThisPeriod(kit, ctx, channel, opening)) {
      const paged = urgent && ctx.events.some((e) => e.type === 'oncall.page');
      const template = paged && ah.acknowledgeUrgent ? ah.acknowledgeUrgent : ah.acknowledge;
      ctx.replies.push({ text: kit.render(template, to, vars), templateId: template, author: 'bot' });
    }
    if (ah.knowledge) {
      const answers = kit.knowledge.answer(ctx.envelope.text, kit.policies.knowledge.maxAnswers);
      for (const a of answers) ctx.replies.push({ text: kit.fill(answerText(a), vars), author: 'bot' });
    }
    ctx.patch.tags = [...new Set([...current(ctx).tags, AFTER_HOURS_TAG])];
    if (ah.queueForOpening && !urgent && opening !== null && !conv.assignee) {
      ctx.patch.status = 'snoozed';
      ctx.timers.push({
        kind: WAKE_TIMER,
        conversationId: conv.id,
        dueAt: opening,
        key: `afterhours:${conv.id}`,
        payload: {},
      });
    }
    if (!ah.runFlows) return stop(ctx, 'after hours');
    return next();
  };
}

/**
 * Whether this conversation already had a message in the same closed period
 * (its previous message was also outside hours, before the same opening).
 */
function acknowledgedThisPeriod(kit: PolicyKit, ctx: RouteContext, channel: string, opening: number | null): boolean {
  const previous = ctx.isNewConversation ? null : ctx.conversation.lastInboundAt;
  if (previous === null || previous > ctx.now) return false;
  if (kit.calendar.isOpen(previous, channel)) return false;
  return kit.calendar.nextOpening(previous, channel) === opening;
}

export function createAfterHoursTimerHandlers(kit: PolicyKit): Record<string, TimerHandler> {
  return {
    [WAKE_TIMER]: async (timer, tx) => {
      const conversation = await loadLocked(tx, timer.conversationId);
      if (conversation?.status !== 'snoozed') return;
      await tx.updateConversation(conversation.id, { status: 'open' }, kit.clock.now());
    },
  };
}
