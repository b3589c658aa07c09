import { z } from 'zod';
import type { AgentActions } from '../agent/actions.ts';
import { notFound } from '../errors.ts';
import type { ConversationStatus } from '../model/types.ts';
import type { Store } from '../store/contract.ts';
import type { HttpRequest, RouteRegistry } from './http-types.ts';
import { jsonBody, validate } from './json-body.ts';

const STATUSES = ['open', 'pending', 'snoozed', 'resolved', 'closed'] as const satisfies ConversationStatus[];
const MAX_BODY = 64 * 1024;
const admin = { auth: 'admin', maxBodyBytes: MAX_BODY } as const;

const name = z.string().trim().min(1, 'must not be empty').max(200);
const count = (max: number) => z.coerce.number().int('must be a whole number').min(1).max(max);

const listQuery = z
  .object({
    status: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()))
      .pipe(z.array(z.enum(STATUSES, { message: `each status must be one of ${STATUSES.join(', ')}` })))
      .optional(),
    channel: z.string().min(1).optional(),
    limit: count(200).default(50),
    before: z.coerce.number().int('must be epoch milliseconds').min(0).optional(),
  })
  .strict();

const messagesQuery = z.object({ limit: count(1000).default(500), after: z.string().min(1).optional() }).strict();

const replyBody = z
  .object({
    text: z.string().trim().min(1, 'must not be empty').max(20_000),
    agent: name,
    internal: z.boolean().optional(),
  })
  .strict();
const byBody = z.object({ by: name.optional() }).strict();
const assignBody = z.object({ assignee: name.nullable(), by: name.optional() }).strict();

const DEFAULT_BY = 'admin-api';

/**
 * The token-protected JSON API for agents and scripts: list and read
 * conversations (with internal notes), reply, resolve, reopen, assign.
 */
export function registerAdminApi(routes: RouteRegistry, deps: { store: Store; actions: AgentActions }): void {
  const { store, actions } = deps;

  routes.add(
    'GET',
    '/api/conversations',
    async (req) => {
      const q = validate(queryObject(req), listQuery, 'query');
      const conversations = await store.listConversations({
        limit: q.limit,
        ...(q.status ? { status: q.status } : {}),
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.before !== undefined ? { before: q.before } : {}),
      });
      const last = conversations.at(-1);
      const nextBefore = conversations.length === q.limit && last ? last.updatedAt : null;
      return { status: 200, body: { conversations, nextBefore } };
    },
    admin,
  );

  routes.add(
    'GET',
    '/api/conversations/:id',
    async (req) => {
      const id = req.params.id as string;
      const q = validate(queryObject(req), messagesQuery, 'query');
      const conversation = await store.getConversation(id);
      if (!conversation) throw notFound(`no conversation ${id}`);
      const [contact, messages] = await Promise.all([
        store.getContact(conversation.contactId),
        store.listMessages(id, { includeInternal: true, limit: q.limit, afterId: q.after ?? null }),
      ]);
      return { status: 200, body: { conversation, contact, messages } };
    },
    admin,
  );

  routes.add(
    'POST',
    '/api/conversations/:id/reply',
    async (req) => {
      const b = jsonBody(req, replyBody);
      const message = await actions.reply(req.params.id as string, {
        text: b.text,
        agent: b.agent,
        ...(b.internal !== undefined ? { internal: b.internal } : {}),
      });
      return { status: 201, body: message };
    },
    admin,
  );

  routes.add(
    'POST',
    '/api/conversations/:id/resolve',
    async (req) => {
      const b = optionalJsonBody(req, byBody);
      return { status: 200, body: await actions.resolve(req.params.id as string, b.by ?? DEFAULT_BY) };
    },
    admin,
  );

  routes.add(
    'POST',
    '/api/conversations/:id/reopen',
    async (req) => {
      const b = optionalJsonBody(req, byBody);
      return { status: 200, body: await actions.reopen(req.params.id as string, b.by ?? DEFAULT_BY) };
    },
    admin,
  );

  routes.add(
    'POST',
    '/api/conversations/:id/assign',
    async (req) => {
      const b = jsonBody(req, assignBody);
      return { status: 200, body: await actions.assign(req.params.id as string, b.assignee, b.by ?? DEFAULT_BY) };
    },
    admin,
  );
}

/** A body that may be left out entirely (resolve, reopen). */
function optionalJsonBody<T>(req: HttpRequest, schema: z.ZodType<T>): T {
  return req.rawBody.length === 0 ? validate({}, schema, 'body') : jsonBody(req, schema);
}

function queryObject(req: HttpRequest): Record<string, string> {
  return Object.fromEntries(req.query);
}
