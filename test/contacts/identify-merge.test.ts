import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkIdentity } from '../../src/contacts/link.ts';
import { mergeContacts } from '../../src/contacts/merge.ts';
import { acceptSuggestion, rejectSuggestion } from '../../src/contacts/suggestions.ts';
import { identify, joinProven } from '../../src/decide/identify.ts';
import { HttpError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import type { Envelope, IdentityRef } from '../../src/model/types.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { newConversation } from '../support/records.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const root = mkdtempSync(join(tmpdir(), 'tp-identify-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const env = (channel: string, kind: string, from: IdentityRef & { name?: string }, text = 'hello'): Envelope => ({
  channel,
  providerId: `p${n++}`,
  touchpoint: { channel, kind, visibility: 'private' },
  threadKey: `${channel}:${from.value}`,
  from,
  text,
});

describe('who wrote: identities join only on proof, anything weaker is a suggestion', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore({ dataDir: join(root, `db-${n++}`), log: silentLogger });
  });
  afterEach(() => store.close());
  const who = (e: Envelope) => store.transaction((tx) => identify(tx, e, T0));

  it('one number on SMS, WhatsApp and voice is one contact, with each identity', async () => {
    const sms = await who(env('sms', 'sms', { kind: 'phone', value: '+447700900123', verified: true, name: 'Ann' }));
    const wa = await who(env('whatsapp', 'whatsapp', { kind: 'whatsapp', value: 'whatsapp:+447700900123' }));
    const call = await who(env('sms', 'voice', { kind: 'phone', value: '+44 7700 900123', verified: false }));
    expect(wa.id).toBe(sms.id);
    expect(call.id).toBe(sms.id);
    const ids = await store.listIdentities(sms.id);
    expect(ids.map((i) => `${i.kind}:${i.value}`).sort()).toEqual(['phone:+447700900123', 'whatsapp:+447700900123']);
  });

  it('WhatsApp first, then SMS from the same number, joins the same way', async () => {
    const wa = await who(env('whatsapp', 'whatsapp', { kind: 'whatsapp', value: '+14155550123' }));
    const sms = await who(env('sms', 'sms', { kind: 'phone', value: '+14155550123' }));
    expect(sms.id).toBe(wa.id);
  });

  it('an address or number written in a message suggests a merge, with the reason, and joins nothing', async () => {
    const mail = await who(env('email', 'email', { kind: 'email', value: 'ann@shop.test', name: 'Ann' }));
    const chat = await who(
      env('webchat', 'webchat', { kind: 'webchat', value: 'v1' }, 'I am ANN@shop.test (or bob@shop.test), order 42'),
    );
    expect(chat.id).not.toBe(mail.id);
    const [s] = await store.listSuggestions({ status: 'pending' });
    expect(s).toMatchObject({
      contactId: chat.id,
      otherId: mail.id,
      reason: 'mentioned_email',
      evidence: 'wrote "ANN@shop.test" on webchat',
    });
    expect((await store.findContactByIdentity({ kind: 'email', value: 'ann@shop.test' }))?.id).toBe(mail.id);
    expect((await store.listIdentities(chat.id)).map((i) => i.kind)).toEqual(['webchat']);
  });

  it('the same full name first seen on another channel is a suggestion', async () => {
    const a = await who(env('email', 'email', { kind: 'email', value: 'ann@shop.test', name: 'Ann Lee' }));
    const b = await who(env('slack', 'slack.dm', { kind: 'slack', value: 'U1', name: 'ann lee' }));
    expect(await store.listSuggestions({})).toMatchObject([
      { contactId: b.id, otherId: a.id, reason: 'same_name', evidence: '"ann lee" first wrote on slack' },
    ]);
  });

  it('a single name is no evidence: no suggestion for two people called Ann', async () => {
    await who(env('email', 'email', { kind: 'email', value: 'ann@shop.test', name: 'Ann' }));
    await who(env('slack', 'slack.dm', { kind: 'slack', value: 'U1', name: 'Ann' }));
    expect(await store.listSuggestions({})).toEqual([]);
  });

  it('a known contact without a name takes the name they give, trimmed; a blank name is no name', async () => {
    const first = await who(env('webchat', 'webchat', { kind: 'webchat', value: 'v9', name: '   ' }));
    expect(first.name).toBeNull();
    const again = await who(env('webchat', 'webchat', { kind: 'webchat', value: 'v9', name: '  Ann Lee ' }));
    expect(again).toMatchObject({ id: first.id, name: 'Ann Lee' });
    expect((await store.getContact(first.id))?.name).toBe('Ann Lee');
    const renamed = await who(env('webchat', 'webchat', { kind: 'webchat', value: 'v9', name: 'Someone Else' }));
    expect(renamed.name).toBe('Ann Lee');
  });

  it('a number written in a message suggests its owner on any phone channel; one’s own suggests nothing', async () => {
    const wa = await who(env('whatsapp', 'whatsapp', { kind: 'whatsapp', value: '+447700900123' }));
    const chat = await who(env('webchat', 'webchat', { kind: 'webchat', value: 'v2' }, 'call me on +44 7700 900123'));
    expect(await store.listSuggestions({})).toMatchObject([
      { contactId: chat.id, otherId: wa.id, reason: 'mentioned_phone' },
    ]);
    await who(env('whatsapp', 'whatsapp', { kind: 'whatsapp', value: '+447700900123' }, 'my number: +447700900123'));
    expect(await store.listSuggestions({})).toHaveLength(1);
  });
});

describe('merging two contacts', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore({ dataDir: join(root, `db-${n++}`), log: silentLogger });
  });
  afterEach(() => store.close());

  async function person(name: string | null, email: string, over: Record<string, unknown> = {}, at = T0) {
    return store.transaction(async (tx) => {
      const c = await tx.createContact({ name, ...over }, { kind: 'email', value: email }, at);
      const conv = await tx.createConversation(newConversation(c.id, 'email', `t-${email}`), at);
      await tx.scheduleTimer({ kind: 'flow.wait', conversationId: conv.id, dueAt: at + 86_400_000 }, at);
      return { contact: c, conversation: conv };
    });
  }

  it('moves everything to one contact by the documented rules and records it', async () => {
    const keep = await person(null, 'a@shop.test', { attributes: { plan: 'gold', city: 'Leeds' }, optOuts: ['sms'] });
    const away = await person('Ann', 'b@shop.test', {
      vip: true,
      language: 'fr',
      attributes: { plan: 'silver', spend: 120 },
      optOuts: ['*'],
    });
    const record = await store.transaction((tx) =>
      mergeContacts(tx, { fromId: away.contact.id, intoId: keep.contact.id, by: 'sam', now: T0 + 5 }),
    );
    const merged = await store.getContact(keep.contact.id);
    expect(merged).toMatchObject({
      name: 'Ann',
      vip: true,
      language: 'fr',
      optOuts: ['*', 'sms'],
      attributes: { plan: 'gold', city: 'Leeds', spend: 120 },
    });
    expect(record).toMatchObject({
      fromId: away.contact.id,
      intoId: keep.contact.id,
      by: 'sam',
      at: T0 + 5,
      moved: {
        conversations: [away.conversation.id],
        timers: 1,
        identities: [{ kind: 'email', value: 'b@shop.test' }],
        attributes: { moved: ['spend'], kept: { plan: 'silver' } },
        optOuts: ['*'],
      },
    });
    expect((await store.getConversation(away.conversation.id))?.contactId).toBe(keep.contact.id);
    expect((await store.findContactByIdentity({ kind: 'email', value: 'b@shop.test' }))?.id).toBe(keep.contact.id);
    expect(await store.mergedInto(away.contact.id)).toBe(keep.contact.id);
  });

  it('refuses with a 4xx and a reason, and changes nothing', async () => {
    const a = await person('A', 'a@shop.test');
    const b = await person('B', 'b@shop.test');
    const refused = async (fn: () => Promise<unknown>, status: number, code: string) => {
      const err = await fn().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HttpError);
      expect(err).toMatchObject({ status, code });
    };
    const merge = (fromId: string, intoId: string) =>
      store.transaction((tx) => mergeContacts(tx, { fromId, intoId, by: 'sam', now: T0 }));
    await refused(() => merge(a.contact.id, a.contact.id), 400, 'merge_into_itself');
    await refused(() => merge('nobody', a.contact.id), 404, 'not_found');
    await refused(() => merge(a.contact.id, 'nobody'), 404, 'not_found');
    const link = (id: string, ref: IdentityRef) => store.transaction((tx) => linkIdentity(tx, id, ref));
    await refused(() => link(a.contact.id, { kind: 'email', value: 'B@shop.test' }), 409, 'identity_taken');
    await refused(() => link(a.contact.id, { kind: 'phone', value: '07700 900123' }), 400, 'invalid_identity');
    await merge(b.contact.id, a.contact.id);
    await refused(() => merge(b.contact.id, a.contact.id), 409, 'contact_merged');
    await refused(() => link(b.contact.id, { kind: 'phone', value: '+447700900123' }), 409, 'contact_merged');
    expect(await store.listMerges(a.contact.id)).toHaveLength(1);
    expect((await store.listIdentities(a.contact.id)).map((i) => i.value).sort()).toEqual([
      'a@shop.test',
      'b@shop.test',
    ]);
    expect(await link(a.contact.id, { kind: 'phone', value: '+44 7700 900123' })).toMatchObject({
      contactId: a.contact.id,
      value: '+447700900123',
    });
  });

  it('accepting a suggestion merges the newer contact into the older; rejecting keeps both', async () => {
    const older = await person('A', 'a@shop.test');
    const newer = await person('B', 'b@shop.test', {}, T0 + 1);
    const other = await person('C', 'c@shop.test', {}, T0 + 2);
    const s1 = await store.suggestMerge(
      { contactId: newer.contact.id, otherId: older.contact.id, reason: 'mentioned_email', evidence: 'x' },
      T0,
    );
    const s2 = await store.suggestMerge(
      { contactId: other.contact.id, otherId: older.contact.id, reason: 'same_name', evidence: 'y' },
      T0,
    );
    const accepted = await store.transaction((tx) =>
      acceptSuggestion(tx, s1?.id as string, { by: 'kim', now: T0 + 9 }),
    );
    expect(accepted.merge).toMatchObject({ fromId: newer.contact.id, intoId: older.contact.id, by: 'kim' });
    expect(await store.getSuggestion(s1?.id as string)).toMatchObject({ status: 'accepted', decidedBy: 'kim' });
    await expect(
      store.transaction((tx) => acceptSuggestion(tx, s1?.id as string, { by: 'kim', now: T0 + 10 })),
    ).rejects.toMatchObject({ status: 409, code: 'suggestion_decided' });
    await store.transaction((tx) => rejectSuggestion(tx, s2?.id as string, { by: 'kim', now: T0 + 11 }));
    expect(await store.mergedInto(other.contact.id)).toBeNull();
  });
});

describe('an address proved with a one-time code (a verify step with `to`)', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore({ dataDir: join(root, `db-${n++}`), log: silentLogger });
  });
  afterEach(() => store.close());
  const who = (e: Envelope) => store.transaction((tx) => identify(tx, e, T0));
  const prove = (contactId: string, ref: IdentityRef) => store.transaction((tx) => joinProven(tx, contactId, ref, T0));

  it('joins the contact as verified, and marks one it already had verified', async () => {
    const chat = await who(env('webchat', 'webchat', { kind: 'webchat', value: 'v1' }));
    await store.transaction((tx) => linkIdentity(tx, chat.id, { kind: 'phone', value: '+447700900123' }));
    await prove(chat.id, { kind: 'email', value: 'ann@example.com' });
    await prove(chat.id, { kind: 'phone', value: '+447700900123' });
    const ids = await store.listIdentities(chat.id);
    expect(ids).toContainEqual(expect.objectContaining({ kind: 'email', value: 'ann@example.com', verified: true }));
    expect(ids).toContainEqual(expect.objectContaining({ kind: 'phone', value: '+447700900123', verified: true }));
  });

  it('an address another contact has becomes a suggestion with the reason; nothing moves', async () => {
    const owner = await who(env('email', 'email', { kind: 'email', value: 'ann@example.com' }));
    const chat = await who(env('webchat', 'webchat', { kind: 'webchat', value: 'v2' }));
    await prove(chat.id, { kind: 'email', value: 'ann@example.com' });
    expect((await store.findIdentity({ kind: 'email', value: 'ann@example.com' }))?.contactId).toBe(owner.id);
    expect(await store.listIdentities(chat.id)).toHaveLength(1);
    const [suggestion] = await store.listSuggestions({ contactId: chat.id });
    expect(suggestion).toMatchObject({
      contactId: chat.id,
      otherId: owner.id,
      reason: 'proved_by_code',
      status: 'pending',
    });
  });
});
