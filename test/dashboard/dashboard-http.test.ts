import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queued } from '../store/fixtures.ts';
import { csrfOf, type Harness, signIn, startDashboard, TOKEN } from './harness.ts';

const form = (fields: Record<string, string>, cookie?: string): RequestInit => ({
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(fields),
});

describe('the dashboard over HTTP', () => {
  let h: Harness;
  let cookie: string;

  beforeAll(async () => {
    h = await startDashboard();
    cookie = await signIn(h.url);
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('sends a page request without a session to sign in, and back afterwards', async () => {
    for (const path of [
      '/admin',
      '/admin/reports',
      '/admin/conversations?status=open',
      `/admin/contacts/${h.ann.contactId}`,
      '/admin/dead-letters',
      '/admin/flows',
    ]) {
      const res = await fetch(`${h.url}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location')).toBe(`/admin/sign-in?next=${encodeURIComponent(path)}`);
    }
  });

  it('refuses a form post without a session with 401, and one without the CSRF token with 403', async () => {
    const anonymous = await fetch(`${h.url}/admin/dead-letters/${h.deadLetterId}/retry`, form({ _csrf: 'x' }));
    expect(anonymous.status).toBe(401);
    const noToken = await fetch(`${h.url}/admin/dead-letters/${h.deadLetterId}/retry`, form({}, cookie));
    expect(noToken.status).toBe(403);
    const wrongToken = await fetch(
      `${h.url}/admin/dead-letters/${h.deadLetterId}/retry`,
      form({ _csrf: 'forged' }, cookie),
    );
    expect(wrongToken.status).toBe(403);
    expect(await h.store.countOutbox('dead')).toBe(1);
    expect(h.retried.count).toBe(0);
    // and the sign-out form is held to the same token
    expect((await fetch(`${h.url}/admin/sign-out`, form({}, cookie))).status).toBe(403);
    expect((await fetch(`${h.url}/admin`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, scoped to /admin, with an expiry', async () => {
    const page = await fetch(`${h.url}/admin/sign-in`);
    const nonce = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const formCookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const res = await fetch(
      `${h.url}/admin/sign-in`,
      form({ _csrf: nonce, token: 'dashboard-admin-token-0123456789', next: '/admin/flows' }, formCookie),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/flows');
    const set = res.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^tp_session=[\w-]{40,};/);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(set).toContain('Path=/admin');
    expect(set).toContain('Max-Age=43200');
    expect(set).not.toContain('Secure');
  });

  it('refuses a wrong token, a sign-in form from elsewhere, and a redirect off the site', async () => {
    const page = await fetch(`${h.url}/admin/sign-in`);
    const nonce = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const formCookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const wrong = await fetch(`${h.url}/admin/sign-in`, form({ _csrf: nonce, token: 'guess' }, formCookie));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).not.toMatch(/tp_session=/);
    const forged = await fetch(
      `${h.url}/admin/sign-in`,
      form({ _csrf: 'other', token: 'dashboard-admin-token-0123456789' }, formCookie),
    );
    expect(forged.status).toBe(403);
    const away = await fetch(
      `${h.url}/admin/sign-in`,
      form({ _csrf: nonce, token: 'dashboard-admin-token-0123456789', next: '//evil.example/admin' }, formCookie),
    );
    expect(away.headers.get('location')).toBe('/admin');
  });

  it('walks every conversation page by page, each once, newest activity first', async () => {
    const seen: string[] = [];
    let path = '/admin/conversations';
    for (let pages = 0; pages < 10; pages++) {
      const html = await (await fetch(`${h.url}${path}`, { headers: { cookie } })).text();
      seen.push(...[...html.matchAll(/#c-([\w-]+)"/g)].map((m) => m[1] as string));
      const next = /<a href="(\/admin\/conversations\?[^"]+)" rel="next"/.exec(html)?.[1];
      if (!next) break;
      path = next.replaceAll('&amp;', '&');
    }
    expect(seen).toHaveLength(h.conversations);
    expect(new Set(seen).size).toBe(h.conversations);
  });

  it('filters by channel, category, agent, VIP and breached SLA', async () => {
    const ids = async (q: string) => {
      const html = await (await fetch(`${h.url}/admin/conversations?${q}`, { headers: { cookie } })).text();
      return [...html.matchAll(/#c-([\w-]+)"/g)].map((m) => m[1]);
    };
    expect(await ids('vip=yes')).toEqual([h.ann.sms, h.ann.email]);
    expect(await ids('vip=yes&channel=email')).toEqual([h.ann.email]);
    expect(await ids('agent=bob')).toEqual([h.ann.email]);
    expect(await ids('status=resolved&vip=yes')).toEqual([h.ann.sms]);
    expect((await ids('category=billing')).length).toBe(33);
    const breached = await ids('breached=yes');
    const kept = await ids('breached=no');
    // every fifth of the others was due an answer and got none; a third of those were closed since
    expect(breached.length).toBe(17);
    expect(breached.filter((id) => kept.includes(id))).toEqual([]);
  });

  it('answers bad filters and periods with 400 and the reason', async () => {
    for (const [path, reason] of [
      ['/admin/conversations?status=lost', 'status must be one of'],
      ['/admin/conversations?after=nonsense', 'cursor'],
      ['/admin/reports?since=yesterday', 'since must be a date'],
      ['/admin/reports?since=2026-11-20&until=2026-11-01', 'until must be on or after since'],
      ['/admin?days=3', 'days must be one of'],
    ] as const) {
      const res = await fetch(`${h.url}${path}`, { headers: { cookie } });
      expect(res.status, path).toBe(400);
      expect(await res.text()).toContain(reason);
    }
  });

  it('retries a dead letter with the session token, once', async () => {
    const csrf = await csrfOf(h.url, cookie);
    const res = await fetch(`${h.url}/admin/dead-letters/${h.deadLetterId}/retry`, form({ _csrf: csrf }, cookie));
    expect(res.status).toBe(303);
    expect(await h.store.countOutbox('dead')).toBe(0);
    expect(h.retried.count).toBe(1);
    const again = await fetch(`${h.url}/admin/dead-letters/${h.deadLetterId}/retry`, form({ _csrf: csrf }, cookie));
    expect(again.status).toBe(404);
  });

  // Last: it moves the clock past every session's expiry.
  it('ends a session on sign-out and when it expires', async () => {
    const mine = await signIn(h.url);
    const csrf = await csrfOf(h.url, mine, '/admin/flows');
    const out = await fetch(`${h.url}/admin/sign-out`, form({ _csrf: csrf }, mine));
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await fetch(`${h.url}/admin/flows`, { headers: { cookie: mine }, redirect: 'manual' })).status).toBe(303);

    const later = await signIn(h.url);
    expect((await fetch(`${h.url}/admin/flows`, { headers: { cookie: later }, redirect: 'manual' })).status).toBe(200);
    h.clock.advance(12 * 3_600_000 + 1);
    expect((await fetch(`${h.url}/admin/flows`, { headers: { cookie: later }, redirect: 'manual' })).status).toBe(303);
  });
});

describe('the dashboard behind https', () => {
  it('marks the session cookie Secure', async () => {
    const h = await startDashboard({ publicUrl: 'https://support.example.com' });
    try {
      const page = await fetch(`${h.url}/admin/sign-in`);
      expect(page.headers.get('set-cookie')).toContain('Secure');
    } finally {
      await h.stop();
    }
  }, 60_000);
});

describe('the outbox page', () => {
  it('shows the replies waiting behind each number’s pace and when the last should be out', async () => {
    const h = await startDashboard();
    try {
      const cookie = await signIn(h.url);
      const page = async () => (await fetch(`${h.url}/admin/dead-letters`, { headers: { cookie } })).text();
      expect(await page()).toContain('id="no-queue"');
      const [c] = await h.store.listConversations({ limit: 1 });
      for (let i = 0; i < 120; i++)
        await queued(h.store, c?.id as string, h.clock.now(), {}, { channel: 'sms', destination: '+15550100' });
      const html = await page();
      const row = /<table id="outbox-queue">[\s\S]*?<tbody>\s*(<tr>.*?<\/tr>)/.exec(html)?.[1] ?? '';
      // 120 replies at one a second: the last leaves two minutes from now (11:00 UTC is 11:00 in London).
      expect(row).toBe('<tr><td>sms</td><td>+15550100</td><td>120</td><td>1/s</td><td>24 Nov 2026, 11:02</td></tr>');
    } finally {
      await h.stop();
    }
  }, 60_000);
});

describe('signing in', () => {
  it('allows ten attempts a minute from one address, then answers 429 until the minute is over', async () => {
    const h = await startDashboard();
    try {
      const attempt = async (token: string) => {
        const page = await fetch(`${h.url}/admin/sign-in`);
        const nonce = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
        const formCookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
        return (await fetch(`${h.url}/admin/sign-in`, form({ _csrf: nonce, token }, formCookie))).status;
      };
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push(await attempt(`guess-${i}`));
      expect(statuses).toEqual([...Array(10).fill(401), 429]);
      expect(await attempt(TOKEN)).toBe(429);
      h.clock.advance(60_000);
      expect(await attempt(TOKEN)).toBe(303);
    } finally {
      await h.stop();
    }
  }, 60_000);
});
