import type { Contact, Conversation } from '../model/types.ts';
import type { StoreTx } from '../store/contract.ts';
import type { PolicyKit } from './kit.ts';
import { policyFor, targetMs } from './sla-clock.ts';
import { note } from './staff.ts';

/**
 * The acknowledgement of receipt (desk.yaml `acknowledge`): in opening hours,
 * a customer handed to a person whom no agent can answer within the channel's
 * first-response standard (sla.yaml) is told when to expect one. Once per
 * waiting period: the wait is the handoff, so the customer writing again while
 * waiting gets nothing more; a later handoff is a new wait.
 */

export const ACK_STATE = 'deskAck';

/** A duration as a customer reads it: "30 minutes", "2 hours", "1 day". */
export function expectedText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (minutes < 60) return unit(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  return hours < 48 ? unit(hours, 'hour') : unit(Math.round(hours / 24), 'day');
}

export async function acknowledgeWait(
  tx: StoreTx,
  kit: PolicyKit,
  c: Conversation,
  contact: Contact,
  o: { answerable: boolean; now: number },
): Promise<void> {
  const ack = kit.policies.desk.acknowledge;
  if (!ack || (o.answerable && !ack.always)) return;
  const channel = c.touchpoint.channel;
  if (!kit.calendar.isOpen(o.now, channel)) return;
  const handoff = c.flowState?.handoff as { at?: unknown } | undefined;
  const waitStarted = typeof handoff?.at === 'number' ? handoff.at : null;
  if (waitStarted === null || c.flowState?.[ACK_STATE] === waitStarted) return;
  const policy = policyFor(kit, c, contact.vip);
  const target = policy ? targetMs(policy, 'firstResponse') : null;
  if (target === null) return;
  const expected = expectedText(target);
  const text = kit.render(ack.template, { channel, language: contact.language }, { name: contact.name, expected });
  const author = { kind: 'bot' as const, name: kit.settings.business.name };
  await kit.outbound.send(tx, { conversation: c, contact, text, author, templateId: ack.template }, o.now);
  await tx.updateConversation(c.id, { flowState: { ...c.flowState, [ACK_STATE]: waitStarted } }, o.now);
  await note(tx, c.id, `Acknowledged receipt: told the customer to expect a person within ${expected}.`, o.now);
}
