import type { Conversation, Priority } from '../model/types.ts';
import type { Store, StoreTx } from '../store/contract.ts';
import { systemNote } from '../store/notes.ts';
import { PAGE_TIMER } from './paging.ts';

/**
 * An agent's escalation goes through the policies' on-call chain (oncall.yaml):
 * the same `oncall.page` timer the after-hours triage uses, due now, so the
 * page is durable, is sent by the policies' timer handler, skips people who
 * cannot be reached, escalates down the chain until someone acknowledges, and
 * is never started twice while one is in progress. The SLA escalation steps are
 * not used: they belong to a breached clock, which an agent's escalation has not.
 */

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const satisfies Priority[];
const rank = (p: Priority) => PRIORITIES.indexOf(p);
export const escalateKey = (conversationId: string) => `escalate:${conversationId}`;

const PAGES = 50;
const PAGE_SIZE = 200;

/** The customer's latest words, quoted in the page. */
export async function lastCustomerText(store: Store, conversationId: string): Promise<string | null> {
  let afterId: string | null = null;
  let last: string | null = null;
  for (let i = 0; i < PAGES; i++) {
    const page = await store.listMessages(conversationId, { afterId, limit: PAGE_SIZE });
    for (const m of page) if (m.direction === 'inbound') last = m.text;
    if (page.length < PAGE_SIZE) break;
    afterId = page[page.length - 1]?.id ?? null;
  }
  return last;
}

export async function escalateIn(
  tx: StoreTx,
  c: Conversation,
  input: { by: string; text: string | null },
  now: number,
): Promise<Conversation> {
  const priority: Priority = rank(c.priority) < rank('high') ? 'high' : c.priority;
  const tags = c.tags.includes('escalated') ? c.tags : [...c.tags, 'escalated'];
  await tx.updateConversation(c.id, { priority, tags }, now);
  await systemNote(tx, c.id, `Escalated by ${input.by}: paging on-call.`, now);
  await tx.scheduleTimer(
    {
      kind: PAGE_TIMER,
      conversationId: c.id,
      dueAt: now,
      key: escalateKey(c.id),
      payload: {
        reason: `escalated by ${input.by}`,
        text: input.text ?? '(no message from the customer yet)',
        window: null,
      },
    },
    now,
  );
  return { ...c, priority, tags };
}
