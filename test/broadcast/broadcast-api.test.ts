import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BroadcastView } from '../../src/broadcast/actions.ts';
import { IN_HOURS, inbound, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';

/** The broadcast API over the real app, the real twilio client and the Twilio fake, on a virtual clock. */
describe('broadcasts through the API', () => {
  let t: TwilioApp;
  const ann = '+447700900123';
  const bob = '+447700900124';

  const call = async (token: string | null, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.app.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: res.status,
      body: (await res.json()) as BroadcastView & { error?: string; reason?: string },
    };
  };
  const admin = (method: string, path: string, body?: unknown) => call(t.app.adminToken, method, path, body);

  /** Lets the runner and the outbox do what is due, moving the virtual clock a little each time. */
  async function until(id: string, status: string) {
    for (let i = 0; i < 50; i++) {
      await t.app.drain();
      const b = await admin('GET', `/api/broadcasts/${id}`);
      if (b.body.status === status) return b.body;
      t.clock.advance(300);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`broadcast ${id} never became ${status}`);
  }

  beforeAll(async () => {
    t = await startTwilioApp({ start: IN_HOURS });
    const store = t.app.store;
    await store.transaction(async (tx) => {
      for (const [phone, consent] of [
        [ann, true],
        [bob, false],
      ] as const) {
        const c = await tx.createContact(
          { name: phone === ann ? 'Ann' : 'Bob' },
          { kind: 'phone', value: phone },
          IN_HOURS,
        );
        await tx.addTags(c.id, ['news']);
        if (consent)
          await tx.recordContactChange({
            contactId: c.id,
            kind: 'consent',
            channel: 'sms',
            on: true,
            source: 'test',
            at: IN_HOURS,
          });
      }
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('is for admins only', async () => {
    expect((await call(null, 'GET', '/api/broadcasts')).status).toBe(401);
    const made = await admin('POST', '/api/agents', { id: 'ann', name: 'Ann Lee', role: 'agent' });
    const agent = (made.body as unknown as { token: string }).token;
    expect((await call(agent, 'GET', '/api/broadcasts')).status).toBe(403);
    expect(
      (await call(agent, 'POST', '/api/broadcasts', { name: 'x', channel: 'sms', template: 'pricing' })).status,
    ).toBe(403);
  });

  it('refuses a bad broadcast with why', async () => {
    const bad = async (body: unknown) => {
      const r = await admin('POST', '/api/broadcasts', body);
      return [r.status, r.body.reason ?? ''];
    };
    expect(await bad({ name: 'x', channel: 'telegram', template: 'pricing' })).toEqual([
      400,
      expect.stringContaining('channel "telegram" is not enabled'),
    ]);
    expect(await bad({ name: 'x', channel: 'sms' })).toEqual([400, expect.stringContaining('give either "template"')]);
    expect(await bad({ name: 'x', channel: 'sms', template: 'nope' })).toEqual([
      400,
      expect.stringContaining('no template named "nope"'),
    ]);
    expect(await bad({ name: 'x', channel: 'sms', template: 'pricing', segment: { colour: 'red' } })).toEqual([
      400,
      expect.stringContaining('body.segment'),
    ]);
    expect(await bad({ name: 'x', channel: 'sms', template: 'pricing', startAt: 'tomorrow' })).toEqual([
      400,
      expect.stringContaining('body.startAt'),
    ]);
    expect((await admin('GET', '/api/broadcasts/nope')).status).toBe(404);
  });

  it('sends the template to each consenting contact of the segment once, and a reply lands in that conversation', async () => {
    const created = await admin('POST', '/api/broadcasts', {
      name: 'Loaf news',
      channel: 'sms',
      template: 'pricing',
      segment: { tags: ['news'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'scheduled', channel: 'sms', quietHours: true });
    const done = await until(created.body.id, 'done');
    expect(done.progress).toMatchObject({ recipients: 2, sent: 1, skipped: 1, pending: 0, waiting: 0 });
    expect(t.api.messages.map((m) => [m.to, m.body])).toEqual([[ann, 'Loaf £4']]);

    await t.post('/twilio/sms', inbound({ from: ann, body: 'Can I order two?' }));
    await t.app.drain();
    const contact = await t.app.store.findContactByIdentity({ kind: 'phone', value: ann });
    const [conversation] = await t.app.store.findConversationsOfContact(contact?.id as string);
    const messages = await t.app.store.listMessages(conversation?.id as string, { includeInternal: true });
    expect(messages.map((m) => [m.direction, m.visibility, m.text])).toEqual(
      expect.arrayContaining([
        ['outbound', 'customer', 'Loaf £4'],
        ['outbound', 'internal', expect.stringContaining('Broadcast "Loaf news"')],
        ['inbound', 'customer', 'Can I order two?'],
      ]),
    );
    expect((await admin('POST', `/api/broadcasts/${created.body.id}/cancel`)).status).toBe(409);
  });

  it('pauses, resumes and cancels, each in the audit log', async () => {
    const created = await admin('POST', '/api/broadcasts', {
      name: 'Later',
      channel: 'sms',
      message: 'Hello {name}',
      startAt: new Date(IN_HOURS + 86_400_000).toISOString(),
    });
    const id = created.body.id;
    expect((await admin('POST', `/api/broadcasts/${id}/resume`)).status).toBe(409);
    expect((await admin('POST', `/api/broadcasts/${id}/pause`)).body.status).toBe('paused');
    expect((await admin('POST', `/api/broadcasts/${id}/resume`)).body.status).toBe('running');
    const cancelled = await admin('POST', `/api/broadcasts/${id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    const audit = await t.app.store.listAudit({ limit: 20 });
    expect(audit.filter((e) => e.action.startsWith('broadcast.')).map((e) => e.action)).toEqual(
      expect.arrayContaining(['broadcast.create', 'broadcast.pause', 'broadcast.resume', 'broadcast.cancel']),
    );
    const list = await admin('GET', '/api/broadcasts');
    expect((list.body as unknown as { broadcasts: BroadcastView[] }).broadcasts.map((b) => b.name)).toEqual([
      'Later',
      'Loaf news',
    ]);
  });
});
