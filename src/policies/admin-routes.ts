import { z } from 'zod';
import { actingAs } from '../access/principal.ts';
import { notFound } from '../errors.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import { jsonBody, validate } from '../http/json-body.ts';
import type { PolicyActions } from './agent.ts';

const name = z.string().trim().min(1, 'must not be empty').max(200);
const ackBody = z.object({ conversationId: name, by: name }).strict();
const moveBody = z.object({ by: name.optional() }).strict();
const agent = { auth: 'agent', maxBodyBytes: 16 * 1024 } as const;

/**
 * The policies' part of the admin API (token-protected, on the same registry):
 * `POST /api/oncall/ack` takes a page, `POST /api/conversations/:id/private`
 * moves a public conversation to a private one, `POST /api/conversations/:id/deescalate`
 * moves an escalated one a tier down (desk.yaml).
 */
export function registerPolicyRoutes(routes: RouteRegistry, actions: PolicyActions): void {
  routes.add(
    'POST',
    '/api/oncall/ack',
    async (req) => {
      const b = jsonBody(req, ackBody);
      const acknowledged = await actions.acknowledgePage(b.conversationId, b.by);
      if (!acknowledged) throw notFound(`no page is waiting for conversation ${b.conversationId}`);
      return { status: 200, body: { acknowledged, conversationId: b.conversationId, by: b.by } };
    },
    { ...agent, doc: { summary: 'Take an on-call page', body: ackBody } },
  );

  routes.add(
    'POST',
    '/api/conversations/:id/deescalate',
    async (req) => {
      const b = req.rawBody.length === 0 ? validate({}, moveBody, 'body') : jsonBody(req, moveBody);
      return { status: 200, body: await actions.deescalate(req.params.id as string, actingAs(req.principal, b.by)) };
    },
    { ...agent, doc: { summary: 'Move an escalated conversation a tier down', body: moveBody, optionalBody: true } },
  );

  routes.add(
    'POST',
    '/api/conversations/:id/private',
    async (req) => {
      const b = req.rawBody.length === 0 ? validate({}, moveBody, 'body') : jsonBody(req, moveBody);
      const result = await actions.moveToPrivate(req.params.id as string, actingAs(req.principal, b.by).agentId);
      return { status: 200, body: result };
    },
    { ...agent, doc: { summary: 'Move a public conversation to a private one', body: moveBody, optionalBody: true } },
  );
}
