import { type Actor, audit } from '../access/audit.ts';
import { newId } from '../ids.ts';
import type { StoreTx } from '../store/contract.ts';
import type { Crisis } from '../store/operations-records.ts';
import { CRISIS_SWITCHED } from './crisis.ts';

/**
 * The crisis switch, in the caller's transaction: the state is a store row
 * (one active at a time, whichever instance or CLI switches), the audit log
 * records who switched, and a `crisis.switched` timer has a running router
 * page the chain of command and post the banner (src/policies/crisis.ts).
 * Switching on while on, or off while off, changes nothing and pages no one.
 */

export interface CrisisState {
  on: boolean;
  /** The crisis switched on, or the one just switched off. */
  crisis: Crisis | null;
  /** False when the switch was already in that position. */
  changed: boolean;
}

export async function switchCrisis(
  tx: StoreTx,
  input: { on: boolean; actor: Actor; reason?: string; statement?: string | null },
  now: number,
): Promise<CrisisState> {
  const { actor } = input;
  const reason = input.reason?.trim() ?? '';
  if (input.on) {
    const statement = input.statement ?? null;
    const { crisis, started } = await tx.startCrisis({ id: newId(), by: actor.name, reason, statement }, now);
    if (started) await announced(tx, crisis, true, actor, reason, now, statement);
    return { on: true, crisis, changed: started };
  }
  const ended = await tx.endCrisis(actor.name, now);
  if (ended) await announced(tx, ended, false, actor, reason, now);
  return { on: false, crisis: ended, changed: ended !== null };
}

async function announced(
  tx: StoreTx,
  crisis: Crisis,
  on: boolean,
  actor: Actor,
  reason: string,
  now: number,
  statement: string | null = null,
): Promise<void> {
  const details = statement ? { crisis: crisis.id, reason, statement } : { crisis: crisis.id, reason };
  await audit(tx, actor, on ? 'crisis.on' : 'crisis.off', {}, details, now);
  await tx.scheduleTimer(
    { kind: CRISIS_SWITCHED, dueAt: now, payload: { crisis: crisis.id, on, by: actor.name, reason } },
    now,
  );
}

/** Whether a crisis is on, and the latest crises (newest first). */
export async function crisisStatus(
  tx: StoreTx,
  limit = 5,
): Promise<{ on: boolean; crisis: Crisis | null; recent: Crisis[] }> {
  const crisis = await tx.activeCrisis();
  return { on: crisis !== null, crisis, recent: await tx.listCrises(limit) };
}
