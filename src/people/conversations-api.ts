import { z } from 'zod';
import { actingAs } from '../access/principal.ts';
import { notFound } from '../errors.ts';
import type { HttpRequest, RouteDoc, RouteRegistry } from '../http/http-types.ts';
import { jsonBody, optionalJsonBody, queryObject, validate } from '../http/json-body.ts';
import type { Attachment, ConversationStatus, Priority } from '../model/types.ts';
import type { Store } from '../store/contract.ts';
import type { AgentActions } from './actions.ts';

const STATUSES = ['open', 'pending', 'snoozed', 'resolved', 'closed'] as const satisfies ConversationStatus[];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const satisfies Priority[];
const MAX_BODY = 64 * 1024;
const agent = { auth: 'agent', maxBodyBytes: MAX_BODY } as const;

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

/** A file already kept in the blob store (by its key), sent with a reply. */
const keptFile = z
  .object({
    blobKey: z.string().regex(/^sha256\/[0-9a-f]{64}$/, 'a blob key: sha256/ and 64 hex digits'),
    contentType: z.string().regex(/^[\w.+-]{1,64}\/[\w.+-]{1,64}$/, 'a content type such as application/pdf'),
    name: z.string().max(255).optional(),
    sha256: z.string().optional(),
    size: z.number().int().min(0).optional(),
  })
  .strict();

const replyBody = z
  .object({
    text: z.string().trim().min(1, 'must not be empty').max(20_000),
    agent: name.optional(),
    internal: z.boolean().optional(),
    attachments: z.array(keptFile).max(10).optional(),
  })
  .strict();
/** The API's file as an Attachment: only the fields given (the store keeps no undefined keys). */
function keptAttachment(f: z.infer<typeof keptFile>): Attachment {
  return {
    blobKey: f.blobKey,
    sha256: f.sha256 ?? f.blobKey.slice('sha256/'.length),
    contentType: f.contentType,
    ...(f.name ? { name: f.name } : {}),
    ...(f.size !== undefined ? { size: f.size } : {}),
  };
}

const byBody = z.object({ by: name.optional() }).strict();
const assignBody = z.object({ assignee: name.nullable(), by: name.optional() }).strict();
const resolveBody = z
  .object({
    by: name.optional(),
    survey: name.optional(),
    disposition: name.optional().describe('A disposition code of desk.yaml'),
    note: z.string().trim().max(2000).optional(),
  })
  .strict();
const snoozeBody = z
  .object({
    until: z.union([
      z.number().int('must be epoch milliseconds').positive(),
      z.iso.datetime({ offset: true, message: 'must be epoch milliseconds or an ISO 8601 time' }).transform(Date.parse),
    ]),
    by: name.optional(),
  })
  .strict();
const priorityBody = z
  .object({
    priority: z.enum(PRIORITIES, { message: `must be one of ${PRIORITIES.join(', ')}` }),
    by: name.optional(),
  })
  .strict();
const flowBody = z.object({ flowId: name, by: name.optional() }).strict();

/**
 * The token-protected JSON API for agents and scripts: list and read
 * conversations (with internal notes), reply, resolve (optionally with a
 * survey flow), reopen, assign, snooze, set priority, escalate, start a flow.
 */
export function registerConversationsApi(routes: RouteRegistry, deps: { store: Store; actions: AgentActions }): void {
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
    { ...agent, doc: { summary: 'Conversations, newest activity first, paged by `nextBefore`', query: listQuery } },
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
    {
      ...agent,
      doc: { summary: 'One conversation with its contact and messages (notes included)', query: messagesQuery },
    },
  );

  routes.add(
    'POST',
    '/api/conversations/:id/reply',
    async (req) => {
      const b = jsonBody(req, replyBody);
      const message = await actions.reply(req.params.id as string, {
        text: b.text,
        agent: actingAs(req.principal, b.agent),
        ...(b.internal !== undefined ? { internal: b.internal } : {}),
        ...(b.attachments ? { attachments: b.attachments.map(keptAttachment) } : {}),
      });
      return { status: 201, body: message };
    },
    { ...agent, doc: { summary: 'Reply to the customer (or add an internal note)', body: replyBody, status: 201 } },
  );

  routes.add(
    'POST',
    '/api/conversations/:id/resolve',
    async (req) => {
      const b = optionalJsonBody(req, resolveBody);
      const opts = {
        ...(b.survey ? { survey: b.survey } : {}),
        ...(b.disposition ? { disposition: b.disposition } : {}),
        ...(b.note ? { note: b.note } : {}),
      };
      const by = actingAs(req.principal, b.by);
      const id = req.params.id as string;
      return { status: 200, body: await actions.resolve(id, by, Object.keys(opts).length > 0 ? opts : undefined) };
    },
    { ...agent, doc: { summary: 'Resolve, optionally starting a survey flow', body: resolveBody, optionalBody: true } },
  );

  routes.add(
    'POST',
    '/api/conversations/:id/reopen',
    async (req) => {
      const b = optionalJsonBody(req, byBody);
      return { status: 200, body: await actions.reopen(req.params.id as string, actingAs(req.principal, b.by)) };
    },
    { ...agent, doc: { summary: 'Reopen', body: byBody, optionalBody: true } },
  );

  routes.add(
    'POST',
    '/api/conversations/:id/assign',
    async (req) => {
      const b = jsonBody(req, assignBody);
      return {
        status: 200,
        body: await actions.assign(req.params.id as string, b.assignee, actingAs(req.principal, b.by)),
      };
    },
    { ...agent, doc: { summary: 'Assign to an agent (null: unassign)', body: assignBody } },
  );

  const post = (path: string, doc: RouteDoc, run: (id: string, req: HttpRequest) => Promise<unknown>) =>
    routes.add(
      'POST',
      `/api/conversations/:id/${path}`,
      async (req) => ({ status: 200, body: await run(req.params.id as string, req) }),
      { ...agent, doc },
    );
  post('snooze', { summary: 'Snooze until a time', body: snoozeBody }, (id, req) => {
    const b = jsonBody(req, snoozeBody);
    return actions.snooze(id, b.until, actingAs(req.principal, b.by));
  });
  post('priority', { summary: 'Set the priority', body: priorityBody }, (id, req) => {
    const b = jsonBody(req, priorityBody);
    return actions.setPriority(id, b.priority, actingAs(req.principal, b.by));
  });
  post('escalate', { summary: 'Escalate', body: byBody, optionalBody: true }, (id, req) =>
    actions.escalate(id, actingAs(req.principal, optionalJsonBody(req, byBody).by)),
  );
  post('flow', { summary: 'Start a flow in the conversation', body: flowBody }, (id, req) => {
    const b = jsonBody(req, flowBody);
    return actions.startFlow(id, b.flowId, actingAs(req.principal, b.by));
  });
}
