import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webchatDefinition } from '../../adapters/webchat/definition.ts';
import { webchatSettings } from '../../adapters/webchat/settings.ts';
import type { App } from '../../src/app.ts';
import { contactsFile } from '../../src/settings/contacts-schema.ts';
import { webchatSays } from '../adapters/slack/support/desk-app.ts';
import { startLocalApp } from '../support/local-app.ts';
import { testSettings } from '../support/settings.ts';

/**
 * VIP by the criteria of contacts.yaml, through the HTTP API: lifetime spend
 * fed by purchase events (a redelivered event counts once), a tag, a listed
 * number; each change of the flag is recorded with the criterion that made it.
 */
describe('VIP from the criteria in contacts.yaml', () => {
  let app: App;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ app, stop } = await startLocalApp('tp-vip-', {
      settings: testSettings({
        channels: { webchat: { enabled: true, settings: webchatSettings.parse({}) } },
        contacts: contactsFile.parse({
          vip: {
            identities: ['+44 7700 900999'],
            tags: ['vip'],
            attributes: [{ attribute: 'lifetimeSpend', atLeast: 100 }],
          },
          fromEvents: [
            { event: 'purchase.completed', add: { lifetimeSpend: 'order.total' }, set: { lastOrder: 'orderId' } },
          ],
        }),
      }),
      adapters: { webchat: webchatDefinition },
    }));
  });
  afterAll(async () => {
    await stop?.();
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const visitor = async () => {
    await webchatSays(app.url, 'hello');
    await app.drain();
    const [newest] = await app.store.listConversations({ channel: 'webchat' });
    const contactId = newest?.contactId as string;
    const [identity] = await app.store.listIdentities(contactId);
    return { contactId, identity: { kind: identity?.kind, value: identity?.value } };
  };
  const vipOf = async (id: string) => (await app.store.getContact(id))?.vip;

  it('becomes VIP when purchase events bring lifetime spend to the threshold, counting a redelivery once', async () => {
    const { contactId, identity } = await visitor();
    const buy = (id: string, total: number) =>
      api('POST', '/api/events', {
        id,
        type: 'purchase.completed',
        contact: identity,
        data: { orderId: id, order: { total } },
      });
    expect((await buy('o-1', 60.1)).status).toBe(200);
    expect(await vipOf(contactId)).toBe(false);
    expect((await buy('o-1', 60.1)).body).toMatchObject({ duplicate: true });
    expect((await app.store.getContact(contactId))?.attributes).toMatchObject({
      lifetimeSpend: 60.1,
      lastOrder: 'o-1',
    });
    await buy('o-2', 39.9);
    expect((await app.store.getContact(contactId))?.attributes).toMatchObject({ lifetimeSpend: 100, lastOrder: 'o-2' });
    expect(await vipOf(contactId)).toBe(true);
    expect(await app.store.contactHistory(contactId, ['vip'])).toMatchObject([
      { kind: 'vip', on: true, source: 'lifetimeSpend 100 ≥ 100 (attributes changed)' },
    ]);
    const found = await api('GET', '/api/contacts?attribute=lastOrder:o-2');
    expect((found.body.contacts as Array<{ id: string }>).map((c) => c.id)).toEqual([contactId]);
    expect((await api('GET', '/api/contacts?attribute=lastOrder')).status).toBe(400);
  });

  it('follows a VIP tag on and off, recording both changes', async () => {
    const { contactId } = await visitor();
    await api('POST', `/api/contacts/${contactId}/tags`, { add: ['vip'] });
    expect(await vipOf(contactId)).toBe(true);
    await api('POST', `/api/contacts/${contactId}/tags`, { remove: ['vip'] });
    expect(await vipOf(contactId)).toBe(false);
    const history = await app.store.contactHistory(contactId, ['vip']);
    expect(history.map((h) => [h.on, h.source])).toEqual([
      [true, 'tag vip (tags edited)'],
      [false, 'no VIP criterion met (tags edited)'],
    ]);
  });

  it('makes a listed number VIP as soon as it is linked', async () => {
    const { contactId } = await visitor();
    expect(
      (await api('POST', `/api/contacts/${contactId}/identities`, { kind: 'phone', value: '+447700900999' })).status,
    ).toBe(201);
    expect(await vipOf(contactId)).toBe(true);
    expect((await app.store.contactHistory(contactId, ['vip']))[0]?.source).toBe(
      'listed phone +447700900999 (identity linked by admin)',
    );
  });

  it('records consent given and withdrawn through the API, with who', async () => {
    const { contactId } = await visitor();
    const given = await api('POST', `/api/contacts/${contactId}/consent`, { channel: 'sms', granted: true, by: 'sam' });
    expect(given).toMatchObject({
      status: 201,
      body: { kind: 'consent', channel: 'sms', on: true, source: 'recorded by sam' },
    });
    await api('POST', `/api/contacts/${contactId}/consent`, { channel: 'sms', granted: false });
    const view = await api('GET', `/api/contacts/${contactId}`);
    expect((view.body.history as Array<{ on: boolean }>).map((h) => h.on)).toEqual([true, false]);
    expect((await api('POST', `/api/contacts/${contactId}/consent`, { channel: 'sms' })).status).toBe(400);
    expect((await api('POST', '/api/contacts/nobody/consent', { channel: 'sms', granted: true })).status).toBe(404);
  });
});
