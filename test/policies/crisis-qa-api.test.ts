import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { registerCrisisRoutes } from '../../src/policies/crisis-routes.ts';
import { registerQaRoutes } from '../../src/policies/qa-routes.ts';
import { reviewsFile } from '../../src/settings/operations-schema.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { ADMIN_TOKEN, json, startTestServer, type TestServer } from '../server/helpers.ts';

/** The crisis switch and QA scores over HTTP: refusals with a reason, one switch, scores against the rubric. */
const T0 = Date.UTC(2026, 11, 7, 10, 0);
let dir: string;
let store: Store;
let t: TestServer;
let switched = 0;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tp-crisis-api-'));
  store = await openStore({ dataDir: dir, log: silentLogger });
  const clock = new VirtualClock(T0);
  t = await startTestServer({ log: silentLogger, clock });
  registerCrisisRoutes(t.server.routes, { store, clock, onSwitched: () => switched++ });
  registerQaRoutes(t.server.routes, { store, clock, reviews: () => reviewsFile.parse({ qa: {} }) });
});
afterEach(async () => {
  await t.server.close(1_000);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown, token: string | null = ADMIN_TOKEN) =>
  fetch(`${t.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('the crisis switch in the API', () => {
  it('switches once, refuses without a token and explains a bad body', async () => {
    expect((await call('POST', '/api/crisis', { on: true }, null)).status).toBe(401);
    const bad = await call('POST', '/api/crisis', { on: 'yes' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).reason).toMatch(/on/);

    const on = await json(await call('POST', '/api/crisis', { on: true, reason: 'oven fire' }));
    expect(on).toMatchObject({ on: true, changed: true, crisis: { reason: 'oven fire', endedAt: null } });
    expect(await json(await call('POST', '/api/crisis', { on: true }))).toMatchObject({ changed: false });
    expect(switched).toBe(1);
    expect(await json(await call('GET', '/api/crisis'))).toMatchObject({ on: true, crisis: { id: on.crisis.id } });
    expect(await json(await call('POST', '/api/crisis', { on: false }))).toMatchObject({ on: false, changed: true });
    expect(switched).toBe(2);
  });
});

describe('QA scores in the API', () => {
  it('scores a review against the rubric, refusing gaps and unknown items, and reports per agent', async () => {
    await store.transaction((tx) =>
      tx.addQaSamples([{ id: 'r1', round: '2026-12-07', agent: 'maya', conversationId: 'c1', sampledAt: T0 - 1 }]),
    );
    const scores = { greeting: 5, 'identity check': 4, accuracy: 5, tone: 5, 'SOP followed': 4, resolution: 3 };
    const gap = await call('POST', '/api/qa/reviews/r1/score', { scores: { greeting: 5, charm: 2 } });
    expect(gap.status).toBe(400);
    const why = await json(gap);
    expect(why.error).toBe('invalid_scores');
    expect(why.reason).toContain('missing "identity check"');
    expect(why.reason).toContain('not in the rubric: "charm"');
    expect((await call('POST', '/api/qa/reviews/nope/score', { scores })).status).toBe(404);
    expect((await call('POST', '/api/qa/reviews/r1/score', { scores: { ...scores, tone: 6 } })).status).toBe(400);

    const scored = await json(await call('POST', '/api/qa/reviews/r1/score', { scores, comment: 'clear' }));
    expect(scored).toMatchObject({ id: 'r1', scores, comment: 'clear', scoredAt: T0 });
    const agents = await json(await call('GET', '/api/qa/agents?since=28d'));
    expect(agents.agents).toEqual([
      {
        agent: 'maya',
        sampled: 1,
        scored: 1,
        average: 4.33,
        byItem: { greeting: 5, 'identity check': 4, accuracy: 5, tone: 5, 'SOP followed': 4, resolution: 3 },
      },
    ]);
    expect((await call('GET', '/api/qa/agents?since=soon')).status).toBe(400);
  });
});
