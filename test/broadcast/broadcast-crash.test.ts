import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BroadcastView } from '../../src/broadcast/actions.ts';
import { FakeTwilioApi } from '../fakes/twilio-api.ts';
import { type RouterChild, startRouterChild } from '../support/child-process.ts';
import { CHILD_TWILIO } from '../support/crash-load.ts';
import { freePorts } from '../support/mail-servers/daemon.ts';
import { type Seeded, seedDataDir } from './seed.ts';

const TOKEN = 'broadcast-admin-token-0123456789';
const RATE = 500;
/**
 * 1,000 in `npm test`, to keep CI short; `BROADCAST_CONTACTS=10000` is the run the issue asks for
 * (about 3 minutes on two busy cores).
 */
const CONTACTS = Number(process.env.BROADCAST_CONTACTS ?? 1_000);
/** The whole broadcast, kill and restart included, must finish within this: 5 minutes at 10,000. */
const BUDGET_MS = Math.max(60_000, CONTACTS * 30);

/**
 * CONTACTS contacts through the real twilio client against the Twilio fake, in
 * a router child process killed with SIGKILL half-way and started again.
 */
describe(`a broadcast to ${CONTACTS} contacts over SMS`, () => {
  let api: FakeTwilioApi;
  let dir: string;
  let seeded: Seeded;
  let env: Record<string, string>;
  let url: string;
  let child: RouterChild | null = null;

  beforeAll(async () => {
    api = await FakeTwilioApi.start({
      accountSid: CHILD_TWILIO.accountSid,
      authToken: CHILD_TWILIO.authToken,
      latencyMs: 5,
    });
    dir = await mkdtemp(join(tmpdir(), 'tp-broadcast-'));
    // CONTACTS in the segment: every 50th without consent, every 30th (of the rest) opted out; 500 consenting outside it.
    seeded = await seedDataDir(dir, {
      total: CONTACTS,
      outside: 500,
      optOutEvery: 30,
      noConsentEvery: 50,
      now: Date.now(),
    });
    const [port] = (await freePorts(1)) as [number];
    url = `http://127.0.0.1:${port}`;
    env = {
      DATA_DIR: dir,
      // The seeded store is this SQLite file: not the DATABASE_URL the test run may have set.
      DATABASE_URL: '',
      PORT: String(port),
      CHANNEL: 'sms',
      TWILIO_API_URL: api.url,
      ROUTER: JSON.stringify({ server: { adminToken: TOKEN }, broadcasts: { window: 200, pollInterval: '100ms' } }),
      // A killed process loses nothing the OS holds: what this test breaks is the process, not the machine.
      SYNC: 'normal',
      LOG_LEVEL: 'error',
    };
  }, 120_000);

  afterAll(async () => {
    child?.proc.kill('SIGKILL');
    await child?.exited;
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as BroadcastView & { id: string } };
  };

  const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  it(
    'sends exactly one message per eligible recipient across a kill -9, paced within the number’s limit',
    async () => {
      child = await startRouterChild(env, 60_000);
      const created = await call('POST', '/api/broadcasts', {
        name: 'Spring menu',
        channel: 'sms',
        message: { text: 'Hello {name}, our spring menu is out!' },
        segment: { tags: ['newsletter'] },
        quietHours: false,
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;

      const eligible = seeded.eligible.size;
      const began = Date.now();
      await until('half the messages', () => api.messages.length >= eligible / 2, BUDGET_MS);
      child.proc.kill('SIGKILL');
      await child.exited;
      const atKill = api.messages.length;
      child = await startRouterChild(env, 60_000);
      await until(
        'the broadcast to finish',
        async () => (await call('GET', `/api/broadcasts/${id}`)).body.status === 'done',
        BUDGET_MS - (Date.now() - began),
      );

      // Every create request the fake was sent, whatever it answered (one cut off by the kill included).
      const perNumber = new Map<string, number>();
      for (const r of api.log) {
        if (r.method === 'POST' && r.path.endsWith('/Messages.json') && r.to)
          perNumber.set(r.to, (perNumber.get(r.to) ?? 0) + 1);
      }
      const twice = [...perNumber].filter(([, n]) => n > 1);
      const wrong = [...perNumber.keys()]
        .filter((p) => !seeded.eligible.has(p))
        .map((p) => `${p}:${seeded.kinds.get(p)}`);
      const missing = [...seeded.eligible].filter((p) => !perNumber.has(p));
      expect({ twice: twice.length, wrong, missing: missing.length }).toEqual({ twice: 0, wrong: [], missing: 0 });
      expect(api.messages.length).toBe(eligible);
      expect(atKill).toBeLessThan(eligible);
      expect(api.messages[0]?.body).toMatch(/^Hello Customer \d+, our spring menu is out!$/);

      // Pacing: no second of the fake's clock saw more creates from our number than it allows.
      const creates = api.log
        .filter((r) => r.method === 'POST' && r.status === 201)
        .map((r) => r.at)
        .sort((a, b) => a - b);
      let busiest = 0;
      for (let i = 0, j = 0; i < creates.length; i++) {
        while ((creates[i] as number) - (creates[j] as number) >= 1000) j++;
        busiest = Math.max(busiest, i - j + 1);
      }
      expect(busiest).toBeLessThanOrEqual(RATE);

      const shown = (await call('GET', `/api/broadcasts/${id}`)).body;
      const skipped = seeded.kinds.size - 500 - eligible;
      expect(shown.progress).toMatchObject({
        recipients: eligible + skipped,
        sent: eligible,
        skipped,
        pending: 0,
        waiting: 0,
      });
    },
    BUDGET_MS + 120_000,
  );

  it('cancel stops the rest: nothing beyond the window already in the outbox goes out', async () => {
    child ??= await startRouterChild(env, 60_000);
    const before = api.messages.length;
    const created = await call('POST', '/api/broadcasts', {
      name: 'Second wave',
      channel: 'sms',
      message: { text: 'Second wave for {name}' },
      segment: { tags: ['newsletter'] },
      quietHours: false,
    });
    const id = created.body.id as string;
    await until(
      'a first part of the second wave',
      () => api.messages.length - before >= Math.min(300, seeded.eligible.size / 4),
      300_000,
    );
    const cancelled = await call('POST', `/api/broadcasts/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const atCancel = api.messages.length - before;
    // What was in the outbox drains; then nothing more comes.
    await until(
      'the outbox to drain',
      async () => (await call('GET', `/api/broadcasts/${id}`)).body.progress.waiting === 0,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const sent = api.messages.length - before;
    expect(sent - atCancel).toBeLessThanOrEqual(200);
    expect(sent).toBeLessThan(seeded.eligible.size);
    const shown = (await call('GET', `/api/broadcasts/${id}`)).body;
    expect(shown.progress.cancelled).toBeGreaterThan(0);
    expect(shown.progress.sent).toBe(sent);
    expect((await call('POST', `/api/broadcasts/${id}/resume`)).status).toBe(409);
  }, 300_000);
});
