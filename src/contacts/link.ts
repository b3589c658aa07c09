import { HttpError } from '../errors.ts';
import type { Identity, IdentityRef } from '../model/types.ts';
import type { StoreTx } from '../store/contract.ts';
import { normaliseIdentity } from './identity-values.ts';
import { liveContact } from './merge.ts';

/** An identity written as given, or the 400 that says what is wrong with it. */
export function checkedIdentity(ref: IdentityRef): IdentityRef {
  const normal = normaliseIdentity(ref);
  if (normal) return normal;
  const expected =
    ref.kind === 'email' ? 'an email address such as ann@example.com' : 'an international number such as +447700900123';
  throw new HttpError(400, 'invalid_identity', `${JSON.stringify(ref.value)} is not ${expected}`);
}

/**
 * An agent links an identity to a contact (or a code proved it). Refused when
 * another contact already has it: joining two people is a merge, never a side effect.
 */
export async function linkIdentity(tx: StoreTx, contactId: string, ref: IdentityRef): Promise<Identity> {
  await liveContact(tx, contactId);
  const identity = checkedIdentity(ref);
  const owner = await tx.findIdentity(identity);
  if (owner && owner.contactId !== contactId) {
    throw new HttpError(
      409,
      'identity_taken',
      `the ${identity.kind} identity ${identity.value} belongs to contact ${owner.contactId}; merge the two contacts instead`,
    );
  }
  await tx.addIdentity(contactId, identity);
  const added = await tx.findIdentity(identity);
  if (!added)
    throw new HttpError(409, 'identity_taken', `the ${identity.kind} identity ${identity.value} was not kept`);
  return added;
}
