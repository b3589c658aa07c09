import type { StaffMember } from '../people/roster.ts';
import type { Board } from '../settings/operations-schema.ts';
import { identityKindFor } from '../settings/policy-schema.ts';
import type { StoreTx } from '../store/contract.ts';
import type { PolicyKit } from './kit.ts';
import { messageStaff } from './staff.ts';

/**
 * Posts to a staff channel (the desk channel, the QA channel): through the
 * durable outbox like a page, on a staff conversation of its own (tagged
 * `staff`, kept resolved, out of the queue). False when the channel cannot
 * reach that address. `parts` are rich parts the channel may render (a QA post's Score button).
 */
export function postToBoard(
  tx: StoreTx,
  kit: PolicyKit,
  board: Board,
  text: string,
  now: number,
  parts?: unknown[],
): Promise<boolean> {
  const person = { name: board.to, channel: board.channel, to: board.to };
  const kind = identityKindFor(person) ?? board.channel;
  const member: StaffMember = {
    ...person,
    id: `board:${board.channel}:${board.to}`,
    identity: { kind, value: board.to },
  };
  return messageStaff(tx, kit, member, text, now, undefined, parts);
}
