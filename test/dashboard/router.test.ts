import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { type LocalApp, startLocalApp } from '../support/local-app.ts';
import { signIn } from './harness.ts';

const TOKEN = 'router-dashboard-token-0123456789';

/** The whole router serves the dashboard, signed in with its admin token. */
describe('the router', () => {
  let local: LocalApp;

  beforeAll(async () => {
    const settings = loadConfig({
      configDir: 'config',
      flowsDir: 'flows',
      adapters,
      env: { ...process.env, TOUCHPOINT_ADMIN_TOKEN: TOKEN },
    });
    local = await startLocalApp('tp-dashboard-router-', { settings, adapters });
  }, 60_000);

  afterAll(async () => {
    await local?.stop();
  });

  it('serves /admin behind sign-in with the admin token', async () => {
    const url = local.app.url;
    const anonymous = await fetch(`${url}/admin`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/admin/sign-in?next=%2Fadmin');
    await expect(signIn(url, 'wrong-token')).rejects.toThrow('sign-in answered 401');
    const cookie = await signIn(url, TOKEN);
    for (const path of ['/admin', '/admin/reports', '/admin/conversations', '/admin/dead-letters', '/admin/flows']) {
      const page = await fetch(`${url}${path}`, { headers: { cookie } });
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(await page.text()).toContain('Harbour Street Bakery');
    }
  }, 60_000);
});
