import { HttpError } from '../errors.ts';
import type { Contact, IdentityRef } from '../model/types.ts';
import type { StoreTx } from '../store/contract.ts';
import { isPhoneKind, PHONE_KINDS } from './identity-values.ts';
import { liveContact } from './merge.ts';

/**
 * The contact a business event is about, from the identities the business
 * knows (an email address, a phone number, the id of an identity on file), created when
 * no contact has any of them. The business vouches for what it sends, so an
 * identity no one has yet joins the contact; one that belongs to another
 * contact is never joined silently: the pair becomes a suggestion for an agent.
 */
export interface EventPerson {
  /** Checked and normalised identities, the most specific first. */
  identities: IdentityRef[];
  name?: string | undefined;
}

export async function contactForEvent(
  tx: StoreTx,
  person: EventPerson,
  o: { type: string; now: number },
): Promise<{ contact: Contact; created: boolean }> {
  const owners = await Promise.all(person.identities.map((i) => ownerOf(tx, i)));
  const found = owners.find((c) => c !== null) ?? null;
  const [first] = person.identities;
  if (!first) throw new HttpError(400, 'no_identity', 'give contact, email or phone: who the event is about');
  const contact = found ?? (await tx.createContact({ name: person.name ?? null }, first, o.now));
  for (const [i, identity] of person.identities.entries()) {
    const owner = owners[i] ?? null;
    if (owner === null) {
      // a new contact was created with the first identity
      if (found || i > 0) await tx.addIdentity(contact.id, identity);
    } else if (owner.id !== contact.id) {
      await tx.suggestMerge(
        {
          contactId: contact.id,
          otherId: owner.id,
          reason: 'same_event',
          evidence: `event ${o.type} named ${identity.kind} ${identity.value}, which is on the other contact`,
        },
        o.now,
      );
    }
  }
  if (found && !found.name && person.name) {
    await tx.updateContact(found.id, { name: person.name });
    return { contact: { ...found, name: person.name }, created: false };
  }
  return { contact, created: found === null };
}

/** The live contact holding this identity; a number is one person on SMS, voice and WhatsApp. */
async function ownerOf(tx: StoreTx, identity: IdentityRef): Promise<Contact | null> {
  const kinds = isPhoneKind(identity.kind)
    ? [identity.kind, ...PHONE_KINDS.filter((k) => k !== identity.kind)]
    : [identity.kind];
  for (const kind of kinds) {
    const owner = await tx.findIdentity({ kind, value: identity.value });
    if (owner) return liveContact(tx, owner.contactId);
  }
  return null;
}
