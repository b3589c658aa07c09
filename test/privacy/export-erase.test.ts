import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP_ADMIN } from '../../src/access/principal.ts';
import type { FactKind } from '../../src/facts/derive.ts';
import { requestErasure, resumeErasures } from '../../src/privacy/erase.ts';
import type { Database } from '../../src/store/schema.ts';
import { ACCOUNT_SID, IN_HOURS, inbound, OUR_WA, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';

const TABLES = [
  'contacts',
  'identities',
  'contact_merges',
  'contact_suggestions',
  'contact_tags',
  'conversations',
  'messages',
  'inbound_events',
  'outbox',
  'timers',
  'channel_state',
  'unreadable_inbound',
  'conversation_facts',
  'facts',
  'agents',
  'agent_tokens',
  'audit_log',
  'erasures',
  'tombstones',
] as const;
const KINDS: FactKind[] = ['first_response', 'next_response', 'assigned', 'escalated', 'resolved', 'reopened', 'csat'];

/**
 * One person on SMS, WhatsApp and the phone: exported whole, then erased.
 * Afterwards no row of any table holds their words or identities, the
 * metrics count the same, a redelivered webhook of theirs does not bring
 * them back, and an erasure cut short after its first step is finished.
 */
describe('export and erase of a contact', () => {
  let t: TwilioApp;
  const CUSTOMER = '+447700900888';
  const SECRET_TEXT = 'my daughter Philippa has a nut allergy';
  const WA_TEXT = 'and my address is 14 Quillon Lane';
  const PROFILE = 'Rosalind Quillon';
  const REPLY = 'Noted for Philippa, thank you';
  let contactId = '';
  let sms: Record<string, string> = {};

  const dump = () =>
    t.app.store.transaction(async (tx) => {
      const db = (tx as unknown as { db: Kysely<Database> }).db;
      const out: Record<(typeof TABLES)[number], unknown[]> = Object.fromEntries(TABLES.map((n) => [n, []])) as never;
      for (const table of TABLES) out[table] = await db.selectFrom(table).selectAll().execute();
      return out;
    });
  const metrics = async () => ({
    facts: (await t.app.store.factsBetween(KINDS, 0, IN_HOURS + 86_400_000)).map(({ comment: _c, ...f }) => f),
    created: await t.app.store.conversationFacts({ by: 'created', from: 0, to: IN_HOURS + 86_400_000 }),
  });

  beforeAll(async () => {
    t = await startTwilioApp({ start: IN_HOURS, voice: { forwardTo: '+14155550111' } });
    sms = inbound({ from: CUSTOMER, body: SECRET_TEXT });
    await t.post('/twilio/sms', sms);
    await t.app.drain();
    await t.post(
      '/twilio/whatsapp',
      inbound({
        from: `whatsapp:${CUSTOMER}`,
        to: `whatsapp:${OUR_WA}`,
        body: WA_TEXT,
        extra: { ProfileName: PROFILE },
      }),
    );
    await t.app.drain();
    const call = {
      AccountSid: ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      CallSid: `CA${'8'.repeat(32)}`,
      From: CUSTOMER,
      To: '+14155550100',
      CallStatus: 'ringing',
      Direction: 'inbound',
    };
    await t.post('/twilio/voice', call);
    await t.post('/twilio/voice/dial', { ...call, CallStatus: 'in-progress', DialCallStatus: 'no-answer' });
    await t.app.drain();
    const found = (await t.admin('GET', `/api/contacts?search=${encodeURIComponent(CUSTOMER)}`)).body as {
      contacts: Array<{ id: string }>;
    };
    contactId = found.contacts[0]?.id as string;
    const view = (await t.admin('GET', `/api/contacts/${contactId}`)).body as { conversations: Array<{ id: string }> };
    const first = view.conversations.at(-1)?.id as string;
    await t.admin('POST', `/api/conversations/${first}/reply`, { text: REPLY });
    await t.admin('POST', `/api/conversations/${first}/reply`, { text: `note about ${PROFILE}`, internal: true });
    await t.admin('POST', `/api/conversations/${first}/resolve`);
    await t.app.drain();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('exports everything held about them as one JSON document, for admins only', async () => {
    const made = (await t.admin('POST', '/api/agents', { id: 'ann', name: 'Ann' })).body as { token: string };
    for (const [method, path] of [
      ['GET', `/api/contacts/${contactId}/export`],
      ['POST', `/api/contacts/${contactId}/erase`],
    ] as const) {
      const res = await fetch(`${t.app.url}${path}`, { method, headers: { authorization: `Bearer ${made.token}` } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { reason: string }).reason).toMatch(/is for admins only; "ann" has the role agent/);
    }

    const res = await fetch(`${t.app.url}/api/contacts/${contactId}/export`, {
      headers: { authorization: `Bearer ${t.app.adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="contact-${contactId}.json"`);
    const doc = (await res.json()) as {
      format: string;
      contact: { id: string; name: string };
      identities: Array<{ kind: string; value: string }>;
      conversations: Array<{ touchpoint: { channel: string }; messages: Array<{ text: string }> }>;
      consent: { optedOut: string[] };
      audit: Array<{ action: string }>;
    };
    expect(doc.format).toBe('touchpoint.contact-export/1');
    expect(doc.contact).toMatchObject({ id: contactId, name: PROFILE });
    expect(doc.identities.map((i) => i.value)).toContain(CUSTOMER);
    // The missed call joins the SMS conversation of the same number.
    expect(doc.conversations.map((c) => c.touchpoint.channel).sort()).toEqual(['sms', 'whatsapp']);
    const texts = doc.conversations.flatMap((c) => c.messages.map((m) => m.text));
    expect(texts).toEqual(
      expect.arrayContaining([SECRET_TEXT, WA_TEXT, 'Missed call', REPLY, `note about ${PROFILE}`]),
    );
    expect(doc.consent).toEqual({ optedOut: [] });
    expect(doc.audit.map((a) => a.action)).toEqual(['reply', 'note', 'resolve']);
  });

  it('erases them: no row holds their words or identities, and the metrics count the same', async () => {
    const before = await metrics();
    expect(before.created.length).toBe(2);
    expect(before.facts.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(await dump())).toContain(SECRET_TEXT);

    const erased = await t.admin('POST', `/api/contacts/${contactId}/erase`);
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ contactId, status: 'done', erased: { conversations: 2, identities: 2 } });

    const all = JSON.stringify(await dump());
    for (const needle of [
      CUSTOMER,
      CUSTOMER.slice(1),
      encodeURIComponent(CUSTOMER),
      SECRET_TEXT,
      WA_TEXT,
      REPLY,
      PROFILE,
      'Philippa',
      'Quillon',
    ])
      expect(all, needle).not.toContain(needle);
    expect(await metrics()).toEqual(before);
    const audit = (await t.admin('GET', `/api/audit?contact=${contactId}`)).body as {
      entries: Array<{ action: string }>;
    };
    expect(audit.entries.map((e) => e.action)).toEqual(['erase', 'export', 'resolve', 'note', 'reply']);
    // Idempotent: asked again, it answers the same and changes nothing.
    expect((await t.admin('POST', `/api/contacts/${contactId}/erase`)).body).toMatchObject({ status: 'done' });
    expect(await metrics()).toEqual(before);
  });

  it('a redelivered webhook of theirs does not bring them back; a new message is a new contact', async () => {
    const contactsBefore = (await dump()).contacts.length;
    expect((await t.post('/twilio/sms', sms)).status).toBe(200);
    await t.app.drain();
    const after = await dump();
    expect(after.contacts).toHaveLength(contactsBefore);
    expect(JSON.stringify(after)).not.toContain(SECRET_TEXT);
    expect(JSON.stringify(after)).not.toContain(CUSTOMER);

    await t.post('/twilio/sms', inbound({ from: CUSTOMER, body: 'hello again' }));
    await t.app.drain();
    const found = (await t.admin('GET', `/api/contacts?search=${encodeURIComponent(CUSTOMER)}`)).body as {
      contacts: Array<{ id: string }>;
    };
    expect(found.contacts).toHaveLength(1);
    expect(found.contacts[0]?.id).not.toBe(contactId);
  });

  it('an erasure cut short after its first step is finished when resumed, as at the next start', async () => {
    await t.post('/twilio/sms', inbound({ from: '+447700900999', body: 'please forget me, Gwendolyn' }));
    await t.app.drain();
    const found = (await t.admin('GET', '/api/contacts?search=%2B447700900999')).body as {
      contacts: Array<{ id: string }>;
    };
    const id = found.contacts[0]?.id as string;
    // Step 1 commits, then the process dies (nothing else of the erasure ran).
    await requestErasure(t.app.store, id, BOOTSTRAP_ADMIN, t.clock.now());
    expect(await t.app.store.erasureStatus(id)).toEqual({ status: 'pending', finishedAt: null });
    expect(JSON.stringify(await dump())).toContain('Gwendolyn');
    expect(await resumeErasures(t.app.store, t.clock.now())).toEqual([id]);
    expect(await t.app.store.erasureStatus(id)).toMatchObject({ status: 'done' });
    const all = JSON.stringify(await dump());
    expect(all).not.toContain('Gwendolyn');
    expect(all).not.toContain('447700900999');
    expect(await resumeErasures(t.app.store, t.clock.now())).toEqual([]);
  });
});
