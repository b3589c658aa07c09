import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/schema.ts';
import { IN_HOURS, inbound, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';

/**
 * Agent accounts over the real app: each agent's own token, roles checked on
 * every route, tokens kept only as salted hashes, revoked and rotated tokens
 * refused, and every action in the append-only audit log with who and where from.
 */
describe('agent accounts, roles and the audit log', () => {
  let t: TwilioApp;
  let conversationId = '';
  let contactId = '';
  let annToken = '';

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    t = await startTwilioApp({ start: IN_HOURS });
    await t.post('/twilio/sms', inbound({ from: '+447700900123', body: 'where is my order?' }));
    await t.app.drain();
    const list = (await t.admin('GET', '/api/conversations')).body as {
      conversations: Array<{ id: string; contactId: string }>;
    };
    conversationId = list.conversations[0]?.id as string;
    contactId = list.conversations[0]?.contactId as string;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('an admin creates a named agent whose token is shown once and stored only as a salted hash', async () => {
    const made = await t.admin('POST', '/api/agents', { id: 'ann', name: 'Ann Lee', role: 'agent' });
    expect(made.status).toBe(201);
    const { token, agent } = made.body as { token: string; agent: { id: string; role: string } };
    expect(agent).toMatchObject({ id: 'ann', role: 'agent' });
    annToken = token;
    const secret = token.split('.')[1] as string;
    const rows = await t.app.store.transaction(async (tx) =>
      (tx as unknown as { db: Kysely<Database> }).db.selectFrom('agent_tokens').selectAll().execute(),
    );
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(token);
    expect(rows[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.salt).toMatch(/^[0-9a-f]{32}$/);
    const listed = (await t.admin('GET', '/api/agents')).body as { agents: Array<{ id: string; liveTokens: number }> };
    expect(listed.agents).toEqual([expect.objectContaining({ id: 'ann', liveTokens: 1 })]);
    expect(JSON.stringify(listed)).not.toContain(secret);
  });

  it('an agent token acts as its agent: replies carry the display name, acting as another is refused', async () => {
    expect((await call(annToken, 'GET', '/api/me')).body).toEqual({
      agentId: 'ann',
      name: 'Ann Lee',
      role: 'agent',
      via: 'api',
    });
    const reply = await call(annToken, 'POST', `/api/conversations/${conversationId}/reply`, { text: 'On its way' });
    expect(reply.status).toBe(201);
    expect(reply.body.author).toEqual({ kind: 'agent', id: 'ann', name: 'Ann Lee' });
    const posing = await call(annToken, 'POST', `/api/conversations/${conversationId}/reply`, {
      text: 'hi',
      agent: 'bob',
    });
    expect(posing.status).toBe(403);
    expect(posing.body.reason).toMatch(/"ann" cannot act as "bob"/);
  });

  it('an agent token cannot manage agents, read the audit log or send business events: 403 with the reason', async () => {
    for (const [method, path, body] of [
      ['POST', '/api/agents', { id: 'eve', name: 'Eve', role: 'admin' }],
      ['GET', '/api/agents', undefined],
      ['POST', '/api/agents/ann/rotate', undefined],
      ['GET', '/api/audit', undefined],
      ['POST', '/api/events', { type: 'order.shipped' }],
    ] as const) {
      const res = await call(annToken, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toEqual({
        error: 'forbidden',
        reason: expect.stringMatching(/is for admins only; "ann" has the role agent/),
      });
    }
  });

  it('every action lands in the audit log with who, what and from where', async () => {
    const c = `/api/conversations/${conversationId}`;
    expect((await call(annToken, 'POST', `${c}/reply`, { text: 'checking stock', internal: true })).status).toBe(201);
    expect((await call(annToken, 'POST', `${c}/assign`, { assignee: 'ann' })).status).toBe(200);
    expect((await call(annToken, 'POST', `${c}/priority`, { priority: 'high' })).status).toBe(200);
    expect((await call(annToken, 'POST', `${c}/snooze`, { until: IN_HOURS + 3_600_000 })).status).toBe(200);
    expect((await call(annToken, 'POST', `${c}/reopen`)).status).toBe(200);
    expect((await call(annToken, 'POST', `${c}/resolve`)).status).toBe(200);
    const { entries } = (await t.admin('GET', `/api/audit?conversation=${conversationId}&limit=50`)).body as {
      entries: Array<{ actorId: string; actorRole: string; via: string; action: string; contactId: string }>;
    };
    const byAnn = entries.filter((e) => e.actorId === 'ann').map((e) => e.action);
    expect(byAnn.reverse()).toEqual(['reply', 'note', 'assign', 'priority', 'snooze', 'reopen', 'resolve']);
    for (const e of entries) expect(e).toMatchObject({ actorRole: 'agent', via: 'api', contactId });
    // The log holds references, never the customer's or the agent's text.
    expect(JSON.stringify(entries)).not.toMatch(/On its way|checking stock|where is my order/);
  });

  it('a rotated token is refused and the new one works; a revoked token is refused (401)', async () => {
    const rotated = await t.admin('POST', '/api/agents/ann/rotate');
    expect(rotated.status).toBe(200);
    const fresh = (rotated.body as { token: string }).token;
    const old = await call(annToken, 'GET', '/api/me');
    expect(old.status).toBe(401);
    expect(old.body.reason).toBe('the token is unknown, revoked or replaced by a rotation');
    expect((await call(fresh, 'GET', '/api/me')).status).toBe(200);
    expect((await t.admin('POST', '/api/agents/ann/revoke')).body).toEqual({ revoked: 1 });
    expect((await call(fresh, 'GET', `/api/conversations/${conversationId}`)).status).toBe(401);
    // A token of the right shape with a wrong secret is refused too.
    const forged = `${fresh.split('.')[0]}.${'A'.repeat(43)}`;
    expect((await call(forged, 'GET', '/api/me')).status).toBe(401);
    const tokens = (await t.admin('GET', '/api/audit?actor=admin')).body as { entries: Array<{ action: string }> };
    expect(tokens.entries.map((e) => e.action)).toEqual(['token.revoke', 'token.rotate', 'agent.create']);
  });

  it('an admin-role agent may manage agents; the bootstrap token stays an admin', async () => {
    const made = (await t.admin('POST', '/api/agents', { id: 'kim', name: 'Kim', role: 'admin' })).body as {
      token: string;
    };
    const bob = await call(made.token, 'POST', '/api/agents', { id: 'bob', name: 'Bob' });
    expect(bob.status).toBe(201);
    const dup = await call(made.token, 'POST', '/api/agents', { id: 'bob', name: 'Bob again' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toBe('agent_exists');
    expect((await t.admin('GET', '/api/me')).body).toMatchObject({ agentId: 'admin', role: 'admin' });
  });

  it('a config reload over the API lands in the audit log, with who and what was applied', async () => {
    expect((await t.admin('POST', '/api/admin/reload')).status).toBe(200);
    const { entries } = (await t.admin('GET', '/api/audit?action=config.reload')).body as {
      entries: Array<{ actorRole: string; via: string; detail: { ok: boolean; problems: number } }>;
    };
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorRole: 'admin', via: 'api', detail: { ok: true, problems: 0 } });
  });

  it('the store has no way to change or remove an audit entry: append and read only', () => {
    const names = new Set<string>();
    for (let p = Object.getPrototypeOf(t.app.store); p && p !== Object.prototype; p = Object.getPrototypeOf(p))
      for (const n of Object.getOwnPropertyNames(p)) if (/audit/i.test(n)) names.add(n);
    expect([...names].sort()).toEqual(['appendAudit', 'listAudit']);
  });
});
