import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adapters } from '../../adapters/registry.ts';
import { loadCalendar } from '../../src/calendar/load.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { VirtualClock } from '../../src/clock.ts';
import type { TokenCheck } from '../../src/dashboard/auth.ts';
import { registerDashboard } from '../../src/dashboard/routes.ts';
import { silentLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { startTestServer } from '../server/helpers.ts';
import { message } from '../store/fixtures.ts';
import { newConversation } from '../support/records.ts';

export const TOKEN = 'dashboard-admin-token-0123456789';
/** A Tuesday at 11:00 UTC. */
export const NOW = Date.UTC(2026, 10, 24, 11, 0, 0);
const MIN = 60_000;
const DAY = 86_400_000;

export interface Harness {
  url: string;
  store: Store;
  clock: VirtualClock;
  retried: { count: number };
  ann: { contactId: string; email: string; sms: string };
  deadLetterId: string;
  /** Conversations seeded in all. */
  conversations: number;
  stop(): Promise<void>;
}

/**
 * The example business's settings, a fresh SQLite store seeded with a VIP
 * customer on two channels, 130 more conversations and one dead letter, and
 * the dashboard on the real HTTP server.
 */
export async function startDashboard(
  o: { publicUrl?: string; checkToken?: (store: Store) => TokenCheck } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-dashboard-'));
  const settings = loadConfig({ configDir: 'config', flowsDir: 'flows', adapters, env: { ...process.env } });
  const store = await openStore({ dataDir: dir, log: silentLogger });
  const clock = new VirtualClock(NOW);
  const ann = await seedAnn(store);
  const deadLetterId = await seedDeadLetter(store, ann.email);
  const others = 130;
  for (let i = 0; i < others; i++) await seedOther(store, i);
  const retried = { count: 0 };
  const { server, url } = await startTestServer({
    log: silentLogger,
    clock,
    ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
  });
  registerDashboard(server.routes, {
    store,
    clock,
    log: silentLogger,
    adminToken: TOKEN,
    business: { name: settings.business.name, timezone: settings.business.timezone },
    calendar: loadCalendar(settings.business, settings.configDir),
    targets: settings.policies.targets,
    sla: settings.policies.sla,
    complaints: settings.policies.trends.complaints,
    flows: settings.flows,
    channels: ['email', 'sms', 'webchat'],
    onRetried: () => retried.count++,
    ...(o.checkToken ? { checkToken: o.checkToken(store) } : {}),
    // SMS from a US long code: one a second per number.
    rateOf: (channel) =>
      channel === 'sms' ? { minTimeMs: 1_000, maxConcurrent: 1 } : { minTimeMs: 0, maxConcurrent: 4 },
  });
  return {
    url,
    store,
    clock,
    retried,
    ann,
    deadLetterId,
    conversations: others + 2,
    async stop() {
      await server.close(1000);
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function seedAnn(store: Store) {
  const opened = NOW - 2 * DAY;
  return store.transaction(async (tx) => {
    const contact = await tx.createContact(
      { name: 'Ann Baker', vip: true },
      { kind: 'email', value: 'ann@example.com' },
      opened,
    );
    await tx.addIdentity(contact.id, { kind: 'phone', value: '+447700900123' });
    const email = await tx.createConversation(
      newConversation(contact.id, 'email', 'ann-email', { category: 'orders', assignee: 'bob' }),
      opened,
    );
    await tx.insertMessage(
      message(email.id, {
        direction: 'inbound',
        author: { kind: 'contact' },
        text: 'Where is my wedding cake order?',
        status: 'received',
      }),
      opened,
    );
    await tx.insertMessage(
      message(email.id, {
        author: { kind: 'agent', id: 'bob', name: 'Bob' },
        text: 'It leaves the bakery at noon.',
        status: 'sent',
      }),
      opened + 20 * MIN,
    );
    await tx.insertMessage(
      message(email.id, {
        author: { kind: 'agent', id: 'bob', name: 'Bob' },
        text: 'VIP: call before delivery',
        visibility: 'internal',
      }),
      opened + 21 * MIN,
    );
    const sms = await tx.createConversation(
      newConversation(contact.id, 'sms', 'ann-sms', { status: 'resolved' }),
      opened + DAY,
    );
    await tx.insertMessage(
      message(sms.id, {
        direction: 'inbound',
        author: { kind: 'contact' },
        text: 'Thanks, the cake was perfect',
        status: 'received',
      }),
      opened + DAY,
    );
    return { contactId: contact.id, email: email.id, sms: sms.id };
  });
}

async function seedDeadLetter(store: Store, conversationId: string): Promise<string> {
  const job = await store.transaction(async (tx) => {
    const msg = await tx.insertMessage(message(conversationId, { text: 'Your cake is on its way' }), NOW - DAY);
    return tx.enqueueOutbound(
      { messageId: msg.id, conversationId, channel: 'email', destination: 'ann@example.com', dueAt: NOW - DAY },
      NOW - DAY,
    );
  });
  await store.deadLetter(job.id, 'mailbox unavailable (550)', NOW - DAY + MIN, true);
  return job.id;
}

async function seedOther(store: Store, i: number): Promise<void> {
  // two by two at the same instant: paging must not skip a tie
  const at = NOW - (Math.floor(i / 2) + 1) * 37 * MIN;
  const channel = i % 2 === 0 ? 'webchat' : 'sms';
  await store.transaction(async (tx) => {
    const contact = await tx.createContact(
      { name: `Customer ${i}` },
      { kind: 'email', value: `c${i}@example.com` },
      at,
    );
    const c = await tx.createConversation(
      newConversation(contact.id, channel, `other-${i}`, {
        status: i % 3 === 0 ? 'resolved' : 'open',
        category: i % 4 === 0 ? 'billing' : 'orders',
      }),
      at,
    );
    await tx.insertMessage(
      message(c.id, { direction: 'inbound', author: { kind: 'contact' }, text: `question ${i}`, status: 'received' }),
      at,
    );
    // every fifth was due an answer within 30 minutes, and none came
    if (i % 5 === 0) await tx.updateConversation(c.id, { sla: { firstResponseDue: at + 30 * MIN } }, at);
  });
}

/** Signs in over HTTP and returns the session cookie (name=value). */
export async function signIn(url: string, token = TOKEN): Promise<string> {
  const page = await fetch(`${url}/admin/sign-in`);
  const nonce = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const formCookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const res = await fetch(`${url}/admin/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: formCookie },
    body: new URLSearchParams({ _csrf: nonce, token, next: '/admin' }),
  });
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

export async function csrfOf(url: string, cookie: string, path = '/admin/dead-letters'): Promise<string> {
  const html = await (await fetch(`${url}${path}`, { headers: { cookie } })).text();
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
}
