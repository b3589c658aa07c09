import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { registerPolicyRoutes } from '../../src/policies/admin-routes.ts';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../server/helpers.ts';
import { createHarness, type Harness, MINUTE, MON_2300, socialComment, TUE_1000 } from './support/harness.ts';

let h: Harness;
let s: TestServer;
afterEach(async () => {
  await s.server.close(1_000);
  await h.close();
});

async function setup(at: number) {
  h = await createHarness({ at, config: { sla: {} } });
  s = await startTestServer({ log: silentLogger });
  registerPolicyRoutes(s.server.routes, h.policies.actions);
}

function post(path: string, body: unknown, token: string | null = ADMIN_TOKEN) {
  return fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

describe('the policies’ admin API', () => {
  it('takes a page with POST /api/oncall/ack, behind the admin token', async () => {
    await setup(MON_2300);
    await h.send({ text: 'emergency!' });
    const [conv] = (await h.conversations()).filter((c) => !c.tags.includes('staff'));
    expect((await post('/api/oncall/ack', { conversationId: conv?.id, by: 'maya' }, null)).status).toBe(401);
    const bad = await post('/api/oncall/ack', { conversationId: conv?.id });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'invalid_request',
      reason: 'body.by: Invalid input: expected string, received undefined',
    });

    const ok = await post('/api/oncall/ack', { conversationId: conv?.id, by: 'maya' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ acknowledged: true, conversationId: conv?.id, by: 'maya' });
    expect((await post('/api/oncall/ack', { conversationId: conv?.id, by: 'maya' })).status).toBe(404);
    await h.advance(30 * MINUTE);
    expect(await h.staffConversation('sms', '+447700900102')).toBeNull();
  });

  it('moves a public conversation with POST /api/conversations/:id/private', async () => {
    await setup(TUE_1000);
    await h.send(
      socialComment('hello', { touchpoint: { channel: 'social', kind: 'social.mention', visibility: 'public' } }),
    );
    const [conv] = await h.conversations();
    const res = await post(`/api/conversations/${conv?.id}/private`, { by: 'jo' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'moved', via: 'privateReply' });
    expect((await post('/api/conversations/nope/private', {})).status).toBe(404);
  });
});
