import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { startMessengerRouter } from '../adapters/meta/support.ts';

/** GET /api/feedback and /api/complaints through the router: JSON or CSV, behind the admin token, with a reason for bad input. */
describe('/api/feedback', () => {
  let app: App;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ app, stop } = await startMessengerRouter('tp-feedback-'));
  });
  afterAll(async () => {
    await stop?.();
  });
  const get = (query: string, token: string | null = app.adminToken) =>
    fetch(`${app.url}/api/feedback${query}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('answers JSON by default and CSV when asked, and refuses without the token or with a bad period', async () => {
    const json = await get('?since=7d');
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({ items: [] });
    const csv = await get('?format=csv');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await csv.text()).toBe(
      'kind,created_at,conversation_id,channel,touchpoint,contact,intent,category,tags,text\r\n',
    );
    expect((await get('', null)).status).toBe(401);
    const bad = await get('?since=soon');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('must be a duration such as 24h or 30d');
  });

  it('counts complaints per week and category', async () => {
    const res = await fetch(`${app.url}/api/complaints?since=28d`, {
      headers: { authorization: `Bearer ${app.adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ weeks: [] });
  });
});
