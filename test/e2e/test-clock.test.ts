import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { webformSettings } from '../../adapters/webform/settings.ts';
import { type App, startApp } from '../../src/app.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';

/**
 * Test mode: the whole router on a virtual clock that the admin API moves, so
 * a follow-up three days after a purchase is checked in milliseconds.
 */
describe('test mode: a virtual clock moved through the admin API', () => {
  let app: App;
  let dir: string;
  const clock = new VirtualClock(new Date('2026-11-24T10:00:00Z')); // a Tuesday, open
  const email = 'cora@example.test';

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const outbound = async () => {
    const [c] = await app.store.listConversations({});
    return (await app.store.listMessages(c?.id as string)).filter((m) => m.direction === 'outbound').map((m) => m.text);
  };
  const eventually = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-test-clock-'));
    const loaded = loadConfig({ configDir: 'config', flowsDir: 'flows', adapters, env: {} });
    // The form gives the contact an email address; its replies are not what this test reads.
    const webform = { enabled: true, rateLimit: undefined, settings: webformSettings.parse({}) };
    const settings = { ...loaded, channels: { ...loaded.channels, webform } };
    app = await startApp({ settings, adapters, dataDir: dir, databaseUrl: null, port: 0, log: silentLogger, clock });
  });
  afterAll(async () => {
    await app?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('fires a three-day follow-up when the clock is moved past it, and not before', async () => {
    const form = await fetch(`${app.url}/webform/contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Cora', email, message: 'Do you bake rye bread?' }),
    });
    expect(form.status).toBe(202);
    await app.drain();
    const purchase = await api('/api/events', {
      id: 'order-77',
      type: 'purchase.completed',
      contact: { kind: 'email', value: email },
      data: { product: 'rye loaf' },
    });
    expect(purchase).toMatchObject({ status: 200, body: { started: ['after-sales'] } });
    const before = (await outbound()).length;

    expect((await api('/api/test/clock', { advance: '2d' })).body.now).toBe('2026-11-26T10:00:00.000Z');
    await app.drain();
    expect(await outbound()).toHaveLength(before);

    await api('/api/test/clock', { advance: '1d' });
    await eventually(async () => (await outbound()).length > before);
    const texts = await outbound();
    expect(texts).toHaveLength(before + 1);
    expect(texts.at(-1)).toMatch(/Were you happy with your rye loaf\?/);
  });

  it('refuses a malformed move, and needs the admin token', async () => {
    expect((await api('/api/test/clock', { advance: 'soon' })).status).toBe(400);
    const anonymous = await fetch(`${app.url}/api/test/clock`);
    expect(anonymous.status).toBe(401);
    expect((await api('/api/test/clock')).body.now).toBe(new Date(clock.now()).toISOString());
  });
});
