import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { byId } from '../../src/access/audit.ts';
import { notFound } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import type { Contact, Conversation, Message } from '../../src/model/types.ts';
import type { AgentActions } from '../../src/people/actions.ts';
import { registerConversationsApi } from '../../src/people/conversations-api.ts';
import type { ConversationQuery, Store } from '../../src/store/contract.ts';
import { newConversation } from '../support/records.ts';
import { ADMIN_TOKEN, json, startTestServer, type TestServer } from './helpers.ts';

const contact: Contact = {
  id: 'ct1',
  name: 'Ada',
  vip: false,
  language: null,
  timezone: null,
  optOuts: [],
  attributes: {},
  createdAt: 1,
};

function conversation(id: string, updatedAt: number, status: Conversation['status'] = 'open'): Conversation {
  return { id, ...newConversation('ct1', 'webchat', `webchat:${id}`, { status }), createdAt: 1, updatedAt };
}

function message(id: string, visibility: Message['visibility']): Message {
  return {
    id,
    conversationId: 'c1',
    direction: 'outbound',
    author: { kind: 'agent', name: 'sam' },
    text: visibility === 'internal' ? 'note to self' : 'hello',
    attachments: [],
    providerId: null,
    status: 'sent',
    visibility,
    createdAt: 2,
  };
}

/** The few store reads the admin API makes, over fixed data; records the queries it gets. */
function fakeStore() {
  const conversations = [conversation('c1', 300), conversation('c2', 200, 'pending'), conversation('c3', 100)];
  const queries: ConversationQuery[] = [];
  const store = {
    async listConversations(q: ConversationQuery) {
      queries.push(q);
      return conversations
        .filter((c) => (!q.status || q.status.includes(c.status)) && (q.before === undefined || c.updatedAt < q.before))
        .slice(0, q.limit);
    },
    async getConversation(id: string) {
      return conversations.find((c) => c.id === id) ?? null;
    },
    async getContact(id: string) {
      return id === contact.id ? contact : null;
    },
    async listMessages(_id: string, opts?: { includeInternal?: boolean }) {
      const all = [message('m1', 'customer'), message('m2', 'internal')];
      return opts?.includeInternal ? all : all.filter((m) => m.visibility === 'customer');
    },
  };
  return { store: store as unknown as Store, queries };
}

function fakeActions() {
  const calls: Array<[string, ...unknown[]]> = [];
  const known = (id: string) => {
    if (id !== 'c1') throw notFound(`no conversation ${id}`);
  };
  const actions: AgentActions = {
    async reply(id, input) {
      known(id);
      calls.push(['reply', id, { ...input, agent: byId(input.agent) }]);
      return { ...message('m9', input.internal ? 'internal' : 'customer'), text: input.text };
    },
    async resolve(id, by, opts) {
      known(id);
      calls.push(opts ? ['resolve', id, byId(by), opts] : ['resolve', id, byId(by)]);
      return conversation(id, 400, 'resolved');
    },
    async reopen(id, by) {
      known(id);
      calls.push(['reopen', id, byId(by)]);
      return conversation(id, 400, 'open');
    },
    async assign(id, assignee, by) {
      known(id);
      calls.push(['assign', id, assignee, byId(by)]);
      return { ...conversation(id, 400), assignee };
    },
    async snooze(id, until, by) {
      known(id);
      calls.push(['snooze', id, until, byId(by)]);
      return conversation(id, 400, 'snoozed');
    },
    async setPriority(id, priority, by) {
      known(id);
      calls.push(['priority', id, priority, byId(by)]);
      return { ...conversation(id, 400), priority };
    },
    async escalate(id, by) {
      known(id);
      calls.push(['escalate', id, byId(by)]);
      return { ...conversation(id, 400), priority: 'high' };
    },
    async startFlow(id, flowId, by) {
      known(id);
      calls.push(['flow', id, flowId, byId(by)]);
      return conversation(id, 400);
    },
  };
  return { actions, calls };
}

let t: TestServer;
let queries: ConversationQuery[];
let calls: Array<[string, ...unknown[]]>;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

beforeEach(async () => {
  t = await startTestServer({ log: silentLogger });
  const s = fakeStore();
  const a = fakeActions();
  queries = s.queries;
  calls = a.calls;
  registerConversationsApi(t.server.routes, { store: s.store, actions: a.actions });
});
afterEach(() => t.server.close(1000));

const get = (path: string, headers: Record<string, string> = auth) => fetch(`${t.url}${path}`, { headers });
const post = (path: string, body?: unknown, raw?: string) =>
  fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

describe('admin API', () => {
  it('refuses every route without the admin token', async () => {
    expect((await get('/api/conversations', {})).status).toBe(401);
    expect((await get('/api/conversations/c1', { authorization: 'Bearer wrong' })).status).toBe(401);
    const res = await fetch(`${t.url}/api/conversations/c1/reply`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('lists conversations filtered by status, with a paging cursor', async () => {
    const res = await get('/api/conversations?status=open,pending&limit=2');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.conversations.map((c: Conversation) => c.id)).toEqual(['c1', 'c2']);
    expect(body.nextBefore).toBe(200);
    expect(queries[0]).toEqual({ status: ['open', 'pending'], limit: 2 });

    const next = await json(await get('/api/conversations?status=open,pending&limit=2&before=200'));
    expect(next.conversations.map((c: Conversation) => c.id)).toEqual(['c3']);
    expect(next.nextBefore).toBeNull();
  });

  it('rejects a bad query with a reason naming the parameter', async () => {
    const badStatus = await get('/api/conversations?status=open,sleeping');
    expect(badStatus.status).toBe(400);
    expect((await json(badStatus)).reason).toMatch(/^query\.status\.1: each status must be one of/);
    const badLimit = await get('/api/conversations?limit=abc');
    expect((await json(badLimit)).reason).toMatch(/^query\.limit: /);
    const unknown = await get('/api/conversations?colour=red');
    expect((await json(unknown)).reason).toMatch(/colour/);
  });

  it('shows one conversation with its contact and every message, internal notes included', async () => {
    const res = await get('/api/conversations/c1');
    const body = await json(res);
    expect(body.conversation.id).toBe('c1');
    expect(body.contact.name).toBe('Ada');
    expect(body.messages.map((m: Message) => m.visibility)).toEqual(['customer', 'internal']);
    expect((await get('/api/conversations/zzz')).status).toBe(404);
  });

  it('replies as an agent: 201 with the message', async () => {
    const res = await post('/api/conversations/c1/reply', { text: 'On its way', agent: 'sam' });
    expect(res.status).toBe(201);
    expect((await json(res)).text).toBe('On its way');
    const note = await post('/api/conversations/c1/reply', { text: 'check stock', agent: 'sam', internal: true });
    expect((await json(note)).visibility).toBe('internal');
    expect(calls).toEqual([
      ['reply', 'c1', { text: 'On its way', agent: 'sam' }],
      ['reply', 'c1', { text: 'check stock', agent: 'sam', internal: true }],
    ]);
  });

  it('rejects malformed or wrongly shaped reply bodies with a reason, calling nothing', async () => {
    const malformed = await post('/api/conversations/c1/reply', undefined, '{"text": "hi", ');
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).error).toBe('invalid_json');
    const noAgent = await post('/api/conversations/c1/reply', { text: 'hi', agent: ' ' });
    expect((await json(noAgent)).reason).toMatch(/^body\.agent: /);
    const blank = await post('/api/conversations/c1/reply', { text: '   ', agent: 'sam' });
    expect((await json(blank)).reason).toBe('body.text: must not be empty');
    const extra = await post('/api/conversations/c1/reply', { text: 'hi', agent: 'sam', urgent: true });
    expect((await json(extra)).reason).toMatch(/urgent/);
    expect(calls).toEqual([]);
  });

  it('resolves, reopens and assigns, answering 404 for an unknown conversation', async () => {
    const resolved = await post('/api/conversations/c1/resolve');
    expect((await json(resolved)).status).toBe('resolved');
    await post('/api/conversations/c1/reopen', { by: 'sam' });
    const assigned = await post('/api/conversations/c1/assign', { assignee: 'kim', by: 'sam' });
    expect((await json(assigned)).assignee).toBe('kim');
    await post('/api/conversations/c1/assign', { assignee: null });
    expect(calls).toEqual([
      ['resolve', 'c1', 'admin'],
      ['reopen', 'c1', 'sam'],
      ['assign', 'c1', 'kim', 'sam'],
      ['assign', 'c1', null, 'admin'],
    ]);
    const unknown = await post('/api/conversations/nope/resolve', {});
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toEqual({ error: 'not_found', reason: 'no conversation nope' });
    const noAssignee = await post('/api/conversations/c1/assign', {});
    expect((await json(noAssignee)).reason).toMatch(/^body\.assignee: /);
  });

  it('snoozes, sets priority, escalates and starts a flow', async () => {
    const until = Date.UTC(2026, 0, 6, 9);
    const snoozed = await post('/api/conversations/c1/snooze', { until, by: 'sam' });
    expect(snoozed.status).toBe(200);
    expect((await json(snoozed)).status).toBe('snoozed');
    await post('/api/conversations/c1/snooze', { until: '2026-01-06T09:00:00Z' });
    const prio = await post('/api/conversations/c1/priority', { priority: 'urgent', by: 'sam' });
    expect((await json(prio)).priority).toBe('urgent');
    expect((await post('/api/conversations/c1/escalate')).status).toBe(200);
    expect((await post('/api/conversations/c1/flow', { flowId: 'csat', by: 'sam' })).status).toBe(200);
    await post('/api/conversations/c1/resolve', { by: 'sam', survey: 'csat' });
    expect(calls).toEqual([
      ['snooze', 'c1', until, 'sam'],
      ['snooze', 'c1', until, 'admin'],
      ['priority', 'c1', 'urgent', 'sam'],
      ['escalate', 'c1', 'admin'],
      ['flow', 'c1', 'csat', 'sam'],
      ['resolve', 'c1', 'sam', { survey: 'csat' }],
    ]);
  });

  it('rejects bad snooze, priority and flow bodies with a reason, calling nothing', async () => {
    const noUntil = await post('/api/conversations/c1/snooze', {});
    expect(noUntil.status).toBe(400);
    expect((await json(noUntil)).reason).toMatch(/^body\.until: /);
    const badUntil = await post('/api/conversations/c1/snooze', { until: 'tomorrow' });
    expect((await json(badUntil)).reason).toMatch(/^body\.until: /);
    const badPriority = await post('/api/conversations/c1/priority', { priority: 'asap' });
    expect((await json(badPriority)).reason).toBe('body.priority: must be one of low, normal, high, urgent');
    const noFlow = await post('/api/conversations/c1/flow', { flowId: ' ' });
    expect((await json(noFlow)).reason).toBe('body.flowId: must not be empty');
    expect(calls).toEqual([]);
    expect((await post('/api/conversations/nope/escalate')).status).toBe(404);
  });
});
