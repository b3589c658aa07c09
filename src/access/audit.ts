import type { AccessTx, AuditEntry, Role, Via } from '../store/access-records.ts';

/** Who did something, as the audit log records it. A Principal (src/access/principal.ts) is one. */
export interface Actor {
  agentId: string;
  name: string;
  role: Role | 'system';
  via: Via;
}

/** Who acts, as callers name them: an agent id (acting through the caller's default `via`), or who and where from. */
export type By = string | { agentId: string; via: Via; name?: string; role?: Role };

export const byId = (by: By): string => (typeof by === 'string' ? by : by.agentId);

/**
 * The actor behind `by`, in the action's transaction: a Principal as it is;
 * an agent id with its account's name and role (an id with no account, as
 * older desk configs name agents, is an agent by that name).
 */
export async function actorOf(tx: AccessTx, by: By, via: Via): Promise<Actor> {
  const id = byId(by);
  const from = typeof by === 'string' ? via : by.via;
  if (typeof by !== 'string' && by.name && by.role) return { agentId: id, name: by.name, role: by.role, via: from };
  const account = await tx.getAgent(id);
  return account
    ? { agentId: id, name: account.name, role: account.role, via: from }
    : { agentId: id, name: id, role: 'agent', via: from };
}

/**
 * Appends one entry, in the caller's transaction (so the action and its entry
 * commit together). `detail` holds references, never customer text.
 */
export function audit(
  tx: AccessTx,
  actor: Actor,
  action: string,
  about: { conversationId?: string | null; contactId?: string | null },
  detail: Record<string, unknown>,
  now: number,
): Promise<AuditEntry> {
  return tx.appendAudit(
    {
      actorId: actor.agentId,
      actorRole: actor.role,
      via: actor.via,
      action,
      conversationId: about.conversationId ?? null,
      contactId: about.contactId ?? null,
      detail,
    },
    now,
  );
}
