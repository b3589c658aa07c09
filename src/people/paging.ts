/**
 * The on-call pages' timers, named where agents and policies both reach them:
 * an agent's escalation and the after-hours triage start the same `oncall.page`
 * (src/policies/oncall.ts runs it).
 */
export const PAGE_TIMER = 'oncall.page';
export const ESCALATE_TIMER = 'oncall.escalate';
export const ACK_TIMER = 'oncall.ack';

/** The one pending page or escalation of a conversation. */
export const pageKey = (conversationId: string) => `oncall:${conversationId}`;
