import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { unauthorized } from '../errors.ts';
import type { HttpRequest, Principal, RouteRegistry } from '../http/http-types.ts';
import { jsonBody, optionalJsonBody, queryObject, validate } from '../http/json-body.ts';
import type { Store } from '../store/contract.ts';
import { AGENT_ID, createAgent, listAgents, ROLES, revokeTokens, rotateToken, updateAgent } from './agents.ts';

const adminOnly = { auth: 'admin', maxBodyBytes: 16 * 1024 } as const;
const role = z.enum(ROLES as [string, ...string[]], { message: `must be one of ${ROLES.join(', ')}` });
const displayName = z.string().trim().min(1, 'must not be empty').max(100);
const slackUser = z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'must be a Slack user id such as U024BE7LH');

const createBody = z
  .object({
    id: z.string().regex(AGENT_ID, 'lower-case letters, digits, ".", "_" or "-", at most 63'),
    name: displayName,
    role: role.default('agent'),
    slackUser: slackUser.nullable().optional(),
  })
  .strict();
const patchBody = z
  .object({ name: displayName.optional(), role: role.optional(), slackUser: slackUser.nullable().optional() })
  .strict();
const auditQuery = z
  .object({
    actor: z.string().min(1).max(100).optional(),
    action: z.string().min(1).max(50).optional(),
    conversation: z.string().min(1).max(100).optional(),
    contact: z.string().min(1).max(100).optional(),
    before: z.coerce.number().int('must be epoch milliseconds').min(0).optional(),
    limit: z.coerce.number().int('must be a whole number').min(1).max(1000).default(100),
  })
  .strict();

/** The rotate and revoke routes take no body, or an empty object. */
const noBody = z.object({}).strict();

const who = (req: HttpRequest): Principal => {
  if (!req.principal) throw unauthorized('this route needs an authenticated request');
  return req.principal;
};

/**
 * Agent accounts and the audit log over the API, for admins: create, list,
 * change, rotate and revoke; read the audit log. `GET /api/me` tells any
 * token whom it acts as.
 */
export function registerAccessApi(routes: RouteRegistry, deps: { store: Store; clock: Clock }): void {
  const { store, clock } = deps;

  routes.add('GET', '/api/me', (req) => ({ status: 200, body: who(req) }), {
    auth: 'agent',
    doc: { summary: 'Whom the token acts as' },
  });

  routes.add('GET', '/api/agents', async () => ({ status: 200, body: { agents: await listAgents(store) } }), {
    ...adminOnly,
    doc: { summary: 'Agents, with their live tokens' },
  });

  routes.add(
    'POST',
    '/api/agents',
    async (req) => {
      const b = jsonBody(req, createBody);
      const made = await createAgent(
        store,
        { id: b.id, name: b.name, role: b.role as 'agent' | 'admin', slackUser: b.slackUser ?? null },
        who(req),
        clock.now(),
      );
      return { status: 201, body: made };
    },
    {
      ...adminOnly,
      doc: { summary: 'Create an agent; the answer holds its token, shown once', body: createBody, status: 201 },
    },
  );

  routes.add(
    'PATCH',
    '/api/agents/:id',
    async (req) => {
      const b = jsonBody(req, patchBody);
      const patch = {
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.role !== undefined ? { role: b.role as 'agent' | 'admin' } : {}),
        ...(b.slackUser !== undefined ? { slackUser: b.slackUser } : {}),
      };
      return { status: 200, body: await updateAgent(store, req.params.id as string, patch, who(req), clock.now()) };
    },
    { ...adminOnly, doc: { summary: 'Change an agent’s name, role or Slack user', body: patchBody } },
  );

  routes.add(
    'POST',
    '/api/agents/:id/rotate',
    async (req) => {
      optionalJsonBody(req, noBody);
      return { status: 200, body: await rotateToken(store, req.params.id as string, who(req), clock.now()) };
    },
    {
      ...adminOnly,
      doc: { summary: 'Revoke the agent’s tokens and issue a new one', body: noBody, optionalBody: true },
    },
  );

  routes.add(
    'POST',
    '/api/agents/:id/revoke',
    async (req) => {
      optionalJsonBody(req, noBody);
      return { status: 200, body: await revokeTokens(store, req.params.id as string, who(req), clock.now()) };
    },
    { ...adminOnly, doc: { summary: 'Revoke every token of the agent', body: noBody, optionalBody: true } },
  );

  routes.add(
    'GET',
    '/api/audit',
    async (req) => {
      const q = validate(queryObject(req), auditQuery, 'query');
      const entries = await store.listAudit({
        limit: q.limit,
        ...(q.actor ? { actorId: q.actor } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.conversation ? { conversationId: q.conversation } : {}),
        ...(q.contact ? { contactId: q.contact } : {}),
        ...(q.before !== undefined ? { before: q.before } : {}),
      });
      const last = entries.at(-1);
      return { status: 200, body: { entries, nextBefore: entries.length === q.limit && last ? last.at : null } };
    },
    { ...adminOnly, doc: { summary: 'The audit log, newest first, paged by `nextBefore`', query: auditQuery } },
  );
}
