import type { Conversation } from '../../../src/channel/index.ts';
import type { DeskSettings } from '../settings.ts';

const teamOf = (c: Conversation): string | null => {
  const handoff = c.flowState?.handoff as { team?: unknown } | undefined;
  return typeof handoff?.team === 'string' ? handoff.team : null;
};

/** Staff conversations (pages, SLA messages to people) are the desk's own business, never a thread. */
const isStaff = (c: Conversation) => c.tags.includes('staff');

/** Whether a conversation needs a person, by the desk's `when` setting. */
export function needsPerson(desk: DeskSettings, c: Conversation, vip: boolean): boolean {
  if (isStaff(c)) return false;
  for (const w of desk.when) {
    if (w === 'all') return true;
    if (w === 'vip' && vip) return true;
    if (w === 'handoff' && (c.flowState?.handoff || c.tags.includes('handoff') || c.assignee)) return true;
    if (w === 'complaint' && [c.category, c.intent].some((x) => x && desk.complaintCategories.includes(x))) return true;
    if (w === 'sla' && (c.tags.includes('sla-warning') || c.tags.includes('sla-breached'))) return true;
  }
  return false;
}

/** The desk channel for a conversation: the first route whose every given field matches, else the default. */
export function deskChannelFor(desk: DeskSettings, c: Conversation, vip: boolean): string {
  const team = teamOf(c);
  for (const r of desk.routes) {
    if (r.vip !== undefined && r.vip !== vip) continue;
    if (r.channel && r.channel !== c.touchpoint.channel) continue;
    if (r.category && r.category !== c.category) continue;
    if (r.team && r.team !== team) continue;
    return r.deskChannel;
  }
  return desk.defaultChannel;
}

export { teamOf };
