import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailDefinition } from '../../adapters/email/definition.ts';
import type { App } from '../../src/app.ts';
import { VirtualClock } from '../../src/clock.ts';
import { pageHeaders } from '../../src/http/html.ts';
import { adapterSettings, connectImap, readInbox, sendMail } from '../adapters/email/support/mail-client.ts';
import { startLocalApp } from '../support/local-app.ts';
import { type MailServers, startMailServers } from '../support/mail-servers.ts';
import { testSettings } from '../support/settings.ts';

const CUSTOMER = 'customer@example.test';
const COLLEAGUE = 'colleague@example.test';
const DAY = 24 * 3_600_000;

/** The List-Unsubscribe headers of each mail in `user`'s INBOX, as imapflow fetches them (header fields only). */
async function unsubscribeHeaders(servers: MailServers, user: string) {
  const client: ImapFlow = await connectImap(servers, user);
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const out: Array<{ subject: string; list: string | null; post: string | null }> = [];
      for await (const m of client.fetch('1:*', {
        envelope: true,
        headers: ['list-unsubscribe', 'list-unsubscribe-post'],
      })) {
        const raw = (m.headers?.toString('utf8') ?? '').replace(/\r?\n[ \t]+/g, ' ');
        const field = (name: string) =>
          raw
            .split(/\r?\n/)
            .find((l) => l.toLowerCase().startsWith(`${name}:`))
            ?.slice(name.length + 1)
            .trim() ?? null;
        out.push({
          subject: m.envelope?.subject ?? '',
          list: field('list-unsubscribe'),
          post: field('list-unsubscribe-post'),
        });
      }
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

/**
 * Marketing email carries List-Unsubscribe (RFC 2369) with a signed one-click
 * URL (RFC 8058) and a mailto, through real Postfix and Dovecot; the router
 * serves the URL: POST unsubscribes from marketing at once, GET shows a page,
 * forged and expired links get 403 with the reason. Answers are not marketing.
 */
describe('List-Unsubscribe on marketing email (real Postfix and Dovecot)', () => {
  let servers: MailServers;
  let app: App;
  let stopApp: (() => Promise<void>) | undefined;
  const clock = new VirtualClock(new Date('2026-11-24T10:00:00Z').getTime());
  let link = '';

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const contactOf = async (address: string) => {
    for (const c of await app.store.listConversations({ channel: 'email' })) {
      const identities = await app.store.listIdentities(c.contactId);
      if (identities.some((x) => x.value === address)) return app.store.getContact(c.contactId);
    }
    return null;
  };
  const broadcast = async (name: string) => {
    const created = await api('/api/broadcasts', {
      name,
      channel: 'email',
      message: { text: 'Our winter menu is out!', channels: { email: { text: 'Our winter menu is out!' } } },
      segment: { channel: 'email' },
      quietHours: false,
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };

  beforeAll(async () => {
    servers = await startMailServers();
    ({ app, stop: stopApp } = await startLocalApp('tp-list-unsubscribe-', {
      settings: {
        ...testSettings(),
        channels: { email: { enabled: true, settings: adapterSettings(servers) } },
      },
      adapters: { email: emailDefinition },
      clock,
    }));
    await sendMail(servers, {
      from: CUSTOMER,
      to: 'support@shop.test',
      subject: 'Prices',
      text: 'How much is a loaf?',
    });
    await readInbox(servers, CUSTOMER, 1);
  }, 60_000);
  afterAll(async () => {
    await stopApp?.();
    await servers?.stop();
  });

  it('puts a signed one-click URL and a mailto on a broadcast, and nothing on an answer', async () => {
    await broadcast('Winter menu');
    await readInbox(servers, CUSTOMER, 2);
    const [answer, marketing] = await unsubscribeHeaders(servers, CUSTOMER);
    expect(answer).toMatchObject({ list: null, post: null });
    expect(marketing?.post).toBe('List-Unsubscribe=One-Click');
    const urls = [...(marketing?.list ?? '').matchAll(/<([^>]+)>/g)].map((m) => m[1] ?? '');
    expect(urls[1]).toBe('mailto:support@shop.test?subject=unsubscribe');
    link = urls[0] ?? '';
    expect(link.startsWith(`${app.url}/unsubscribe/`)).toBe(true);
    expect(link).not.toContain('example.test');
  }, 30_000);

  it('shows a confirmation page on GET, with the pages’ security headers, and changes nothing', async () => {
    const res = await fetch(link);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<form method="post"');
    for (const [name, value] of Object.entries(pageHeaders({ inlineStyleOnly: true })))
      expect(res.headers.get(name)).toBe(value);
    expect((await contactOf(CUSTOMER))?.optOuts).toEqual([]);
  });

  it('refuses a forged link with 403 and the reason', async () => {
    const forged = new URL(link);
    forged.searchParams.set('s', `${forged.searchParams.get('s')?.slice(0, -2)}AA`);
    const res = await fetch(forged, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ reason: 'this unsubscribe link is not one we signed' });
    const other = new URL(link);
    other.searchParams.set('c', 'sms');
    expect((await fetch(other, { method: 'POST' })).status).toBe(403);
    expect((await contactOf(CUSTOMER))?.optOuts).toEqual([]);
  });

  it('unsubscribes from marketing on the one-click POST: the next broadcast skips them, answers still go', async () => {
    const res = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You are unsubscribed');
    const contact = await contactOf(CUSTOMER);
    expect(contact?.optOuts).toEqual(['email:marketing']);
    expect(await app.store.contactHistory(contact?.id ?? '', ['opt-out'])).toMatchObject([
      { channel: 'email:marketing', on: true, source: 'unsubscribe link (List-Unsubscribe)' },
    ]);
    // again: nothing changes
    expect((await fetch(link, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
    expect((await contactOf(CUSTOMER))?.optOuts).toEqual(['email:marketing']);

    const id = await broadcast('Spring menu');
    let shown: Record<string, unknown> = {};
    const skipped = () => (shown.progress as { skipped?: number } | undefined)?.skipped;
    for (let i = 0; i < 100 && skipped() !== 1; i++) {
      shown = (await api(`/api/broadcasts/${id}`)).body;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(shown).toMatchObject({ progress: { recipients: 1, skipped: 1, sent: 0, queued: 0 } });

    await sendMail(servers, {
      from: CUSTOMER,
      to: 'support@shop.test',
      subject: 'Prices',
      text: 'How much is a loaf?',
    });
    const inbox = await readInbox(servers, CUSTOMER, 3);
    expect(inbox.at(-1)?.text).toContain('A loaf is £4.');
  }, 30_000);

  it('takes a mail to the mailto ("unsubscribe") as the same opt-out', async () => {
    await sendMail(servers, {
      from: COLLEAGUE,
      to: 'support@shop.test',
      subject: 'Prices',
      text: 'How much is a loaf?',
    });
    await readInbox(servers, COLLEAGUE, 1);
    await sendMail(servers, { from: COLLEAGUE, to: 'support@shop.test', subject: 'unsubscribe', text: '' });
    let contact = await contactOf(COLLEAGUE);
    for (let i = 0; i < 100 && !contact?.optOuts.includes('email:marketing'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      contact = await contactOf(COLLEAGUE);
    }
    expect(contact?.optOuts).toEqual(['email:marketing']);
  }, 30_000);

  it('refuses an expired link with 403 and the reason', async () => {
    clock.advance(366 * DAY);
    const res = await fetch(link);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { reason: string }).reason).toMatch(/expired/);
  });
});
