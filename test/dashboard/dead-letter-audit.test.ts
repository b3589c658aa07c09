import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../src/access/agents.ts';
import { createAuthenticator } from '../../src/access/principal.ts';
import { csrfOf, type Harness, NOW, signIn, startDashboard, TOKEN } from './harness.ts';

const CLI = { agentId: 'cli', name: 'cli', role: 'admin', via: 'cli' } as const;

/**
 * A dead letter retried from the dashboard is an agent action like any other:
 * the audit log says who (the signed-in agent's account) and from where (the
 * dashboard), committed with the retry itself.
 */
describe('dead-letter retry from the dashboard, audited', () => {
  let h: Harness;
  let mayaToken = '';

  beforeAll(async () => {
    h = await startDashboard({
      // Agents sign in with their own tokens, checked as the API checks them (src/dashboard/live-deps.ts).
      checkToken: (store) => async (token) => {
        const who = await createAuthenticator({ bootstrapToken: TOKEN, accounts: store })({
          headers: { authorization: `Bearer ${token}` },
        });
        return who ? { agentId: who.agentId, name: who.name, role: who.role } : null;
      },
    });
    ({ token: mayaToken } = await createAgent(h.store, { id: 'maya', name: 'Maya Singh', role: 'agent' }, CLI, NOW));
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('writes who (the signed-in agent) and from where (dashboard) over HTTP with the session cookie', async () => {
    const cookie = await signIn(h.url, mayaToken);
    const csrf = await csrfOf(h.url, cookie);
    const res = await fetch(`${h.url}/admin/dead-letters/${h.deadLetterId}/retry`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ _csrf: csrf }),
    });
    expect(res.status).toBe(303);
    expect(await h.store.countOutbox('dead')).toBe(0);
    const entries = await h.store.listAudit({ action: 'retry' });
    expect(entries).toMatchObject([
      { actorId: 'maya', actorRole: 'agent', via: 'dashboard', detail: { outboxId: h.deadLetterId } },
    ]);
  });

  it('writes nothing when there was nothing to retry', async () => {
    const cookie = await signIn(h.url, mayaToken);
    const csrf = await csrfOf(h.url, cookie);
    const again = await fetch(`${h.url}/admin/dead-letters/${h.deadLetterId}/retry`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ _csrf: csrf }),
    });
    expect(again.status).toBe(404);
    expect(await h.store.listAudit({ action: 'retry' })).toHaveLength(1);
  });
});
