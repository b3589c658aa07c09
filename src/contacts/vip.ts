import type { Contact, Identity } from '../model/types.ts';
import type { EventAttributes, VipCriteria } from '../settings/contacts-schema.ts';
import type { StoreTx } from '../store/contract.ts';
import { normaliseEmail, normalisePhone } from './identity-values.ts';

/**
 * VIP by the criteria of contacts.yaml: a listed email address or number, a
 * tag, an attribute rule (lifetime spend at least …). When criteria are
 * configured the contact's flag follows them, and each change is recorded
 * with the criterion that made it.
 */

/** Whether the contact meets the criteria, and the first one it meets (or why not). */
export function vipVerdict(
  criteria: VipCriteria,
  contact: Contact,
  identities: Identity[],
  tags: string[],
): { vip: boolean; reason: string } {
  const listed = new Set(criteria.identities.map((v) => normalisePhone(v) ?? normaliseEmail(v) ?? v));
  const identity = identities.find((i) => listed.has(i.value));
  if (identity) return { vip: true, reason: `listed ${identity.kind} ${identity.value}` };
  const tag = tags.find((t) => criteria.tags.includes(t));
  if (tag) return { vip: true, reason: `tag ${tag}` };
  for (const rule of criteria.attributes) {
    const value = contact.attributes[rule.attribute];
    if (rule.atLeast !== undefined && typeof value === 'number' && value >= rule.atLeast)
      return { vip: true, reason: `${rule.attribute} ${value} ≥ ${rule.atLeast}` };
    if (rule.equals !== undefined && value === rule.equals)
      return { vip: true, reason: `${rule.attribute} is ${JSON.stringify(rule.equals)}` };
  }
  return { vip: false, reason: 'no VIP criterion met' };
}

/** Sets the contact's VIP flag from the criteria and records a change; the contact as it is now. */
export async function refreshVip(
  tx: StoreTx,
  contact: Contact,
  criteria: VipCriteria | undefined,
  o: { now: number; cause: string },
): Promise<Contact> {
  if (!criteria) return contact;
  const [identities, tags] = await Promise.all([tx.listIdentities(contact.id), tx.tagsOf(contact.id)]);
  const verdict = vipVerdict(criteria, contact, identities, tags);
  if (verdict.vip === contact.vip) return contact;
  await tx.updateContact(contact.id, { vip: verdict.vip });
  await tx.recordContactChange({
    contactId: contact.id,
    kind: 'vip',
    channel: null,
    on: verdict.vip,
    source: `${verdict.reason} (${o.cause})`,
    at: o.now,
  });
  return { ...contact, vip: verdict.vip };
}

/** A business event keeps attributes up to date: `add` sums a number (lifetime spend), `set` copies a field. */
export function attributesFromEvent(
  rules: readonly EventAttributes[],
  type: string,
  data: Record<string, unknown>,
  attributes: Contact['attributes'],
): Contact['attributes'] | null {
  const matching = rules.filter((r) => r.event === type);
  if (matching.length === 0) return null;
  const out = { ...attributes };
  for (const rule of matching) {
    for (const [attr, path] of Object.entries(rule.add)) {
      const n = Number(field(data, path));
      if (!Number.isFinite(n)) continue;
      const before = typeof out[attr] === 'number' ? (out[attr] as number) : 0;
      // cents, not binary fractions: 0.1 + 0.2 adds up to 0.3
      out[attr] = Math.round((before + n) * 100) / 100;
    }
    for (const [attr, path] of Object.entries(rule.set)) {
      const v = field(data, path);
      if (v !== undefined) out[attr] = v;
    }
  }
  return out;
}

function field(data: Record<string, unknown>, path: string): unknown {
  let at: unknown = data;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
