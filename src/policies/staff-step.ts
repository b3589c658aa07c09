import { type RouteStep, stop } from '../decide/context.ts';
import { ACK_TIMER, pageKey } from '../people/paging.ts';
import { type PolicyKit, staffIdOf } from './kit.ts';
import { staffStateOf } from './staff.ts';

/**
 * A message from one of the staff (a contact marked by their staff
 * conversation) is never answered by the bot: it acknowledges every page
 * waiting on them. Each acknowledgement replaces the page's escalation timer
 * (same key), so the escalation cannot fire after it commits.
 */
export function staffStep(kit: PolicyKit): RouteStep {
  return (ctx, next) => {
    const staff = staffIdOf(ctx.contact);
    if (!staff) return next();
    const pages = staffStateOf(ctx.conversation)?.pages ?? [];
    for (const id of pages) {
      ctx.timers.push({
        kind: ACK_TIMER,
        conversationId: id,
        dueAt: ctx.now,
        key: pageKey(id),
        payload: { by: staff },
      });
    }
    ctx.patch.flowState = { ...ctx.conversation.flowState, staff, pages: [] };
    ctx.patch.status = 'resolved';
    if (pages.length > 0) {
      const person = kit.roster.get(staff);
      const text = kit.render(
        'oncall_ack',
        { channel: ctx.conversation.touchpoint.channel },
        { name: person?.name ?? null, count: pages.length },
        'Thanks {name|}: acknowledged ({count}). The conversation is assigned to you.',
      );
      ctx.replies.push({ text, author: 'system' });
    }
    stop(ctx, 'message from staff');
  };
}
