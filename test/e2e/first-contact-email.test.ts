import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import type { App } from '../../src/app.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { VirtualClock } from '../../src/clock.ts';
import { adapterSettings, readInbox } from '../adapters/email/support/mail-client.ts';
import { startLocalApp } from '../support/local-app.ts';
import { type MailServers, startMailServers } from '../support/mail-servers.ts';

/**
 * First contact by email: the shop reports a purchase by a customer who never
 * wrote to us, named only by an email address. The contact is created, and the
 * shipped after-sales flow's question three days later (virtual clock) arrives
 * by email through real Postfix and Dovecot.
 */
describe('a purchase event for a new customer with only an email (real Postfix and Dovecot)', () => {
  let servers: MailServers;
  let app: App;
  let stopApp: (() => Promise<void>) | undefined;
  const clock = new VirtualClock(new Date('2026-11-24T10:00:00Z')); // a Tuesday, open
  const ADDRESS = 'customer@example.test';

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    servers = await startMailServers();
    const loaded = loadConfig({ configDir: 'config', flowsDir: 'flows', adapters, env: {} });
    const email = { enabled: true, rateLimit: undefined, settings: adapterSettings(servers) };
    ({ app, stop: stopApp } = await startLocalApp('tp-first-contact-email-', {
      settings: { ...loaded, channels: { email } },
      adapters,
      clock,
    }));
  });
  afterAll(async () => {
    await stopApp?.();
    await servers?.stop();
  });

  it('creates the contact, opens an email conversation and mails the follow-up three days later', async () => {
    const purchase = await api('/api/events', {
      id: 'order-1001',
      type: 'purchase.completed',
      email: 'Customer@Example.test',
      name: 'Cora Lane',
      data: { product: 'rye loaf' },
    });
    expect(purchase).toMatchObject({ status: 200, body: { started: ['after-sales'], duplicate: false } });
    const contactId = purchase.body.contactId as string;
    const contact = await api(`/api/contacts/${contactId}`);
    expect(contact.body).toMatchObject({ contact: { name: 'Cora Lane' } });
    expect(await app.store.listIdentities(contactId)).toMatchObject([{ kind: 'email', value: ADDRESS }]);
    const [conversation] = await app.store.findConversationsOfContact(contactId);
    expect(conversation?.touchpoint.channel).toBe('email');
    expect(conversation?.status).toBe('resolved');

    // the same order reported again starts nothing and creates no second contact
    const again = await api('/api/events', {
      id: 'order-1001',
      type: 'purchase.completed',
      email: ADDRESS,
      data: { product: 'rye loaf' },
    });
    expect(again.body).toMatchObject({ duplicate: true, contactId });

    await api('/api/test/clock', { advance: '2d' });
    await app.drain();
    expect(
      (await app.store.listMessages(conversation?.id as string)).filter((m) => m.direction === 'outbound'),
    ).toEqual([]);

    await api('/api/test/clock', { advance: '1d' });
    const [mail] = await readInbox(servers, ADDRESS, 1);
    expect(mail?.from?.value[0]?.address).toBe('support@shop.test');
    expect(mail?.text).toMatch(/Were you happy with your rye loaf\?/);
  }, 60_000);
});
