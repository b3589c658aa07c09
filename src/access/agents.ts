import { badRequest, HttpError, notFound } from '../errors.ts';
import type { AgentAccount, Role } from '../store/access-records.ts';
import type { Store, StoreTx } from '../store/contract.ts';
import { type Actor, audit } from './audit.ts';
import { BOOTSTRAP_ADMIN } from './principal.ts';
import { issueToken } from './tokens.ts';

/**
 * Agent accounts and their tokens, for the CLI (`touchpoint agents …`) and the
 * admin API alike. Each change and its audit entry commit together; a new
 * token is returned once and only its salted hash is kept.
 */

export const ROLES: readonly Role[] = ['agent', 'admin'];
export const AGENT_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export interface NewAgent {
  id: string;
  name: string;
  role: Role;
  slackUser?: string | null;
}

export interface AgentView extends AgentAccount {
  /** How many tokens of the agent are live (not revoked or rotated away). */
  liveTokens: number;
}

/** Creates the agent with its first token; 409 when the id or the Slack user is taken. */
export function createAgent(
  store: Store,
  agent: NewAgent,
  actor: Actor,
  now: number,
): Promise<{ agent: AgentAccount; token: string }> {
  if (!AGENT_ID.test(agent.id))
    throw badRequest(`agent id "${agent.id}" must be lower-case letters, digits, ".", "_" or "-" (at most 63)`);
  if (agent.id === BOOTSTRAP_ADMIN.agentId)
    throw badRequest(`"${agent.id}" is the bootstrap admin token's id; choose another`);
  return store.transaction(async (tx) => {
    const account: AgentAccount = {
      id: agent.id,
      name: agent.name,
      role: agent.role,
      slackUser: agent.slackUser ?? null,
      createdAt: now,
    };
    if (!(await tx.createAgent(account)))
      throw new HttpError(
        409,
        'agent_exists',
        `an agent "${agent.id}" or one linked to that Slack user exists already`,
      );
    const { token, record } = issueToken(agent.id, now);
    await tx.addAgentToken(record);
    await audit(tx, actor, 'agent.create', {}, { agentId: agent.id, role: agent.role, tokenId: record.id }, now);
    return { agent: account, token };
  });
}

/** Revokes every live token of the agent and issues a new one. */
export function rotateToken(store: Store, agentId: string, actor: Actor, now: number): Promise<{ token: string }> {
  return store.transaction(async (tx) => {
    await existing(tx, agentId);
    const revoked = await tx.revokeAgentTokens(agentId, now);
    const { token, record } = issueToken(agentId, now);
    await tx.addAgentToken(record);
    await audit(tx, actor, 'token.rotate', {}, { agentId, revoked, tokenId: record.id }, now);
    return { token };
  });
}

/** Revokes every live token of the agent: it can no longer use the API (its Slack link is kept). */
export function revokeTokens(store: Store, agentId: string, actor: Actor, now: number): Promise<{ revoked: number }> {
  return store.transaction(async (tx) => {
    await existing(tx, agentId);
    const revoked = await tx.revokeAgentTokens(agentId, now);
    await audit(tx, actor, 'token.revoke', {}, { agentId, revoked }, now);
    return { revoked };
  });
}

/** Changes an agent's display name, role or Slack user. */
export function updateAgent(
  store: Store,
  agentId: string,
  patch: Partial<Pick<AgentAccount, 'name' | 'role' | 'slackUser'>>,
  actor: Actor,
  now: number,
): Promise<AgentAccount> {
  return store.transaction(async (tx) => {
    const before = await existing(tx, agentId);
    if (patch.slackUser) {
      const holder = (await tx.listAgents()).find((a) => a.slackUser === patch.slackUser && a.id !== agentId);
      if (holder)
        throw new HttpError(409, 'agent_exists', `Slack user ${patch.slackUser} is linked to "${holder.id}" already`);
    }
    await tx.updateAgent(agentId, patch);
    await audit(tx, actor, 'agent.update', {}, { agentId, ...patch, was: { role: before.role } }, now);
    return { ...before, ...patch };
  });
}

export async function listAgents(store: Store): Promise<AgentView[]> {
  const [agents, live] = await Promise.all([store.listAgents(), store.liveTokenCounts()]);
  return agents.map((a) => ({ ...a, liveTokens: live.get(a.id) ?? 0 }));
}

async function existing(tx: StoreTx, agentId: string): Promise<AgentAccount> {
  const agent = await tx.getAgent(agentId);
  if (!agent) throw notFound(`no agent "${agentId}"`);
  return agent;
}
