import { findMentions, isPhoneKind, normaliseIdentity, PHONE_KINDS } from '../contacts/identity-values.ts';
import type { Contact, Envelope, IdentityRef } from '../model/types.ts';
import type { StoreTx } from '../store/contract.ts';

/**
 * Who wrote: the contact an inbound message belongs to. Identities join a
 * contact only when they prove the same person: the same number on SMS,
 * voice and WhatsApp is one contact. Anything weaker (an address or number
 * written in the message, the same full name seen on another channel) becomes
 * a suggestion for an agent, never a silent merge.
 */

/** The sender's identity as contacts are keyed by: one E.164 number, a lower-case email. */
export function senderIdentity(env: Envelope): IdentityRef {
  const { name: _name, ...raw } = env.from;
  return normaliseIdentity(raw) ?? raw;
}

/** What an erasure tombstones for each message the person sent: a redelivery of it is recognised. */
export const eventTombstone = (channel: string, providerId: string): IdentityRef => ({
  kind: `event:${channel}`,
  value: providerId,
});

export async function identify(tx: StoreTx, env: Envelope, now: number): Promise<Contact> {
  const given = env.from.name;
  const identity = senderIdentity(env);
  const name = given?.trim() || null;
  const contact = (await known(tx, identity, name)) ?? (await sameNumber(tx, identity, name));
  if (contact) {
    await suggestFromText(tx, contact, env, now);
    return contact;
  }
  const created = await tx.createContact({ name }, identity, now);
  await suggestFromText(tx, created, env, now);
  if (name?.includes(' ')) await suggestSameName(tx, created, name, env.channel, now);
  return created;
}

async function known(tx: StoreTx, identity: IdentityRef, name: string | null): Promise<Contact | null> {
  const found = await tx.findContactByIdentity(identity);
  if (!found) return null;
  if (!found.name && name) {
    await tx.updateContact(found.id, { name });
    return { ...found, name };
  }
  return found;
}

/** The number already known on another of SMS, voice and WhatsApp: the new identity joins that contact. */
async function sameNumber(tx: StoreTx, identity: IdentityRef, name: string | null): Promise<Contact | null> {
  if (!isPhoneKind(identity.kind)) return null;
  for (const kind of PHONE_KINDS) {
    if (kind === identity.kind) continue;
    const owner = await tx.findIdentity({ kind, value: identity.value });
    if (!owner) continue;
    await tx.addIdentity(owner.contactId, identity);
    return known(tx, identity, name);
  }
  return null;
}

async function suggestFromText(tx: StoreTx, contact: Contact, env: Envelope, now: number): Promise<void> {
  for (const m of findMentions(env.text)) {
    const kinds = m.kind === 'email' ? ['email'] : PHONE_KINDS;
    for (const kind of kinds) {
      const owner = await tx.findIdentity({ kind, value: m.value });
      if (!owner || owner.contactId === contact.id) continue;
      if (await tx.mergedInto(owner.contactId)) continue;
      await tx.suggestMerge(
        {
          contactId: contact.id,
          otherId: owner.contactId,
          reason: m.kind === 'email' ? 'mentioned_email' : 'mentioned_phone',
          evidence: `wrote ${JSON.stringify(m.raw)} on ${env.touchpoint.kind}`,
        },
        now,
      );
      break;
    }
  }
}

const SAME_NAME_LIMIT = 5;

async function suggestSameName(tx: StoreTx, contact: Contact, name: string, channel: string, now: number) {
  for (const other of await tx.findContactsByName(name, SAME_NAME_LIMIT + 1)) {
    if (other.id === contact.id) continue;
    await tx.suggestMerge(
      {
        contactId: contact.id,
        otherId: other.id,
        reason: 'same_name',
        evidence: `"${name}" first wrote on ${channel}`,
      },
      now,
    );
  }
}

/**
 * The customer proved an address with a one-time code: it joins their contact
 * as verified. When another contact already has it, the code proves this
 * person owns it but joining two contacts is a merge: an agent decides (a
 * suggestion), nothing moves on its own.
 */
export async function joinProven(tx: StoreTx, contactId: string, identity: IdentityRef, now: number): Promise<void> {
  const owner = await tx.findIdentity(identity);
  if (!owner || owner.contactId === contactId) {
    await tx.addIdentity(contactId, { ...identity, verified: true });
    return;
  }
  await tx.suggestMerge(
    {
      contactId,
      otherId: owner.contactId,
      reason: 'proved_by_code',
      evidence: `proved ${identity.kind} ${identity.value} with a one-time code; the other contact has it`,
    },
    now,
  );
}
