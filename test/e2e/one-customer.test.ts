import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, IN_HOURS, inbound, OUR_WA, startTwilioApp, type TwilioApp } from './twilio-app.ts';

/**
 * One person on SMS, WhatsApp and the phone, through the real webhooks (signed
 * as Twilio signs them) and the admin API: one contact, found by any of its
 * numbers, every conversation listed together; merges and links refused with
 * a reason when they would be wrong.
 */
describe('one customer across SMS, WhatsApp and voice', () => {
  let t: TwilioApp;
  const CUSTOMER = '+447700900777';

  beforeAll(async () => {
    t = await startTwilioApp({ start: IN_HOURS, voice: { forwardTo: '+14155550111' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const contactsOf = async (search: string) =>
    (await t.admin('GET', `/api/contacts?search=${encodeURIComponent(search)}`)).body as {
      contacts: Array<{ id: string; name: string | null }>;
    };

  it('an SMS, then WhatsApp, then a missed call from one number are one contact', async () => {
    await t.post('/twilio/sms', inbound({ from: CUSTOMER, body: 'hello from my phone' }));
    await t.app.drain();
    await t.post(
      '/twilio/whatsapp',
      inbound({
        from: `whatsapp:${CUSTOMER}`,
        to: `whatsapp:${OUR_WA}`,
        body: 'and from WhatsApp',
        extra: { ProfileName: 'Ann Lee' },
      }),
    );
    await t.app.drain();
    const call = {
      AccountSid: ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      CallSid: `CA${'7'.repeat(32)}`,
      From: CUSTOMER,
      To: '+14155550100',
      CallStatus: 'ringing',
      Direction: 'inbound',
    };
    await t.post('/twilio/voice', call);
    await t.post('/twilio/voice/dial', { ...call, CallStatus: 'in-progress', DialCallStatus: 'no-answer' });
    await t.app.drain();

    const { contacts } = await contactsOf(CUSTOMER);
    expect(contacts).toHaveLength(1);
    const id = contacts[0]?.id as string;
    const view = (await t.admin('GET', `/api/contacts/${id}`)).body as {
      contact: { name: string };
      identities: Array<{ kind: string; value: string }>;
      conversations: Array<{ touchpoint: { channel: string }; id: string }>;
    };
    expect(view.contact.name).toBe('Ann Lee');
    expect(view.identities.map((i) => `${i.kind}:${i.value}`).sort()).toEqual([
      `phone:${CUSTOMER}`,
      `whatsapp:${CUSTOMER}`,
    ]);
    expect(view.conversations.map((c) => c.touchpoint.channel).sort()).toEqual(['sms', 'whatsapp']);
    // The missed call lands on the SMS thread between the two numbers, so its follow-up text goes there.
    const sms = view.conversations.find((c) => c.touchpoint.channel === 'sms')?.id as string;
    const messages = await t.app.store.listMessages(sms);
    expect(messages.filter((m) => m.direction === 'inbound').map((m) => m.text.slice(0, 11))).toEqual([
      'hello from ',
      'Missed call',
    ]);
  });

  it('a number written in a message is a suggestion; accepting it merges, and the old id redirects', async () => {
    await t.post('/twilio/sms', inbound({ from: '+447700900888', body: `my other phone is ${CUSTOMER}` }));
    await t.app.drain();
    const { suggestions } = (await t.admin('GET', '/api/contacts/suggestions')).body as {
      suggestions: Array<{ id: string; contactId: string; otherId: string; reason: string }>;
    };
    expect(suggestions).toHaveLength(1);
    const s = suggestions[0] as (typeof suggestions)[number];
    expect(s.reason).toBe('mentioned_phone');
    const accepted = await t.admin('POST', `/api/contacts/suggestions/${s.id}/accept`, { by: 'sam' });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ merge: { fromId: s.contactId, intoId: s.otherId, by: 'sam' } });

    const res = await fetch(`${t.app.url}/api/contacts/${s.contactId}`, {
      headers: { authorization: `Bearer ${t.app.adminToken}` },
      redirect: 'manual',
    });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe(`/api/contacts/${s.otherId}`);
    const again = await t.admin('POST', `/api/contacts/suggestions/${s.id}/accept`, { by: 'sam' });
    expect(again).toMatchObject({ status: 409, body: { error: 'suggestion_decided' } });
  });

  it('refuses wrong merges and links with a 4xx and the reason, and changes nothing', async () => {
    const [one] = (await contactsOf(CUSTOMER)).contacts;
    const id = one?.id as string;
    const before = await t.admin('GET', `/api/contacts/${id}`);
    const other = await t.app.store.createContact({ name: 'Bob' }, { kind: 'email', value: 'bob@shop.test' }, IN_HOURS);

    expect(await t.admin('POST', `/api/contacts/${id}/merge`, { into: id })).toMatchObject({
      status: 400,
      body: { error: 'merge_into_itself' },
    });
    expect(await t.admin('POST', `/api/contacts/${id}/merge`, { into: 'nobody' })).toMatchObject({
      status: 404,
      body: { reason: 'no contact nobody' },
    });
    expect(
      await t.admin('POST', `/api/contacts/${other.id}/identities`, { kind: 'whatsapp', value: CUSTOMER }),
    ).toMatchObject({ status: 409, body: { error: 'identity_taken' } });
    expect(
      await t.admin('POST', `/api/contacts/${id}/identities`, { kind: 'phone', value: '07700 900777' }),
    ).toMatchObject({ status: 400, body: { error: 'invalid_identity' } });
    expect(
      await t.admin('POST', '/api/events', { type: 'purchase.completed', contact: { kind: 'phone', value: 'x1' } }),
    ).toMatchObject({ status: 400, body: { error: 'invalid_identity' } });
    expect(await t.admin('GET', `/api/contacts/${id}`)).toEqual(before);
    expect(await t.app.store.listIdentities(other.id)).toHaveLength(1);
  });
});
