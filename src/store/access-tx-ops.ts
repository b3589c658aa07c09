import { newId } from '../ids.ts';
import type { AgentAccount, AgentTokenRecord, AuditEntry, AuditQuery, NewAuditEntry, Role } from './access-records.ts';
import { ContactTxOps } from './contact-tx-ops.ts';
import { clampLimit } from './query-helpers.ts';
import { fromJson, toJson } from './rows.ts';
import type { AgentsTable, AuditLogTable } from './schema.ts';

const accountFromRow = (r: AgentsTable): AgentAccount => ({
  id: r.id,
  name: r.name,
  role: r.role as Role,
  slackUser: r.slack_user,
  createdAt: Number(r.created_at),
});

const auditFromRow = (r: AuditLogTable): AuditEntry => ({
  id: r.id,
  at: Number(r.at),
  actorId: r.actor_id,
  actorRole: r.actor_role as AuditEntry['actorRole'],
  via: r.via,
  action: r.action,
  conversationId: r.conversation_id,
  contactId: r.contact_id,
  detail: fromJson(r.detail),
});

/**
 * Agent accounts, their tokens and the audit log, on top of the contact
 * operations; `KyselyTx` (tx-ops.ts) adds the rest. The audit log has an
 * append and reads only: nothing here updates or deletes an entry.
 */
export class AccessTxOps extends ContactTxOps {
  /** False when an agent with this id (or this Slack user) exists already. */
  async createAgent(account: AgentAccount): Promise<boolean> {
    const taken = await this.db
      .selectFrom('agents')
      .select('id')
      .where((eb) =>
        account.slackUser
          ? eb.or([eb('id', '=', account.id), eb('slack_user', '=', account.slackUser)])
          : eb('id', '=', account.id),
      )
      .executeTakeFirst();
    if (taken) return false;
    await this.db
      .insertInto('agents')
      .values({
        id: account.id,
        name: account.name,
        role: account.role,
        slack_user: account.slackUser,
        created_at: account.createdAt,
      })
      .execute();
    return true;
  }

  async getAgent(id: string): Promise<AgentAccount | null> {
    const row = await this.db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? accountFromRow(row) : null;
  }

  async listAgents(): Promise<AgentAccount[]> {
    const rows = await this.db.selectFrom('agents').selectAll().orderBy('id').execute();
    return rows.map(accountFromRow);
  }

  async updateAgent(id: string, patch: Partial<Pick<AgentAccount, 'name' | 'role' | 'slackUser'>>): Promise<boolean> {
    const set = {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.slackUser !== undefined ? { slack_user: patch.slackUser } : {}),
    };
    if (Object.keys(set).length === 0) return (await this.getAgent(id)) !== null;
    const r = await this.db.updateTable('agents').set(set).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async addAgentToken(token: AgentTokenRecord): Promise<void> {
    await this.db
      .insertInto('agent_tokens')
      .values({
        id: token.id,
        agent_id: token.agentId,
        salt: token.salt,
        hash: token.hash,
        created_at: token.createdAt,
        revoked_at: token.revokedAt,
      })
      .execute();
  }

  async getAgentToken(id: string): Promise<AgentTokenRecord | null> {
    const r = await this.db.selectFrom('agent_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return null;
    const revokedAt = r.revoked_at == null ? null : Number(r.revoked_at);
    return { id: r.id, agentId: r.agent_id, salt: r.salt, hash: r.hash, createdAt: Number(r.created_at), revokedAt };
  }

  /** Revokes every live token of an agent; returns how many were live. */
  async revokeAgentTokens(agentId: string, now: number): Promise<number> {
    const r = await this.db
      .updateTable('agent_tokens')
      .set({ revoked_at: now })
      .where('agent_id', '=', agentId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** How many live tokens each agent holds. */
  async liveTokenCounts(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('agent_tokens')
      .select((eb) => ['agent_id', eb.fn.countAll<number>().as('n')])
      .where('revoked_at', 'is', null)
      .groupBy('agent_id')
      .execute();
    return new Map(rows.map((r) => [r.agent_id, Number(r.n)]));
  }

  async appendAudit(entry: NewAuditEntry, now: number): Promise<AuditEntry> {
    const written: AuditEntry = { ...entry, id: newId(), at: now };
    await this.db
      .insertInto('audit_log')
      .values({
        id: written.id,
        at: now,
        actor_id: entry.actorId,
        actor_role: entry.actorRole,
        via: entry.via,
        action: entry.action,
        conversation_id: entry.conversationId,
        contact_id: entry.contactId,
        detail: toJson(entry.detail),
      })
      .execute();
    return written;
  }

  /** Audit entries, newest first. */
  async listAudit(query: AuditQuery): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_log').selectAll();
    if (query.actorId) q = q.where('actor_id', '=', query.actorId);
    if (query.action) q = q.where('action', '=', query.action);
    if (query.conversationId) q = q.where('conversation_id', '=', query.conversationId);
    if (query.contactId) q = q.where('contact_id', '=', query.contactId);
    if (query.before !== undefined) q = q.where('at', '<', query.before);
    const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(clampLimit(query.limit, 100)).execute();
    return rows.map(auditFromRow);
  }
}
