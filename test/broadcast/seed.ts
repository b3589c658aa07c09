import { silentLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';

/** How a seeded contact stands towards SMS: the broadcast writes only to `eligible` ones. */
export type Kind = 'eligible' | 'opted-out' | 'no-consent' | 'not-in-segment';

export interface Seeded {
  /** Phone number → what it is. */
  kinds: Map<string, Kind>;
  eligible: Set<string>;
}

export const phoneOf = (i: number) => `+1415${String(7_000_000 + i)}`;

/**
 * `total` contacts tagged `newsletter` with SMS consent (every `optOutEvery`-th opted out of SMS, every
 * `noConsentEvery`-th without consent), plus `outside` consenting contacts without the tag.
 */
export async function seedContacts(
  store: Store,
  o: { total: number; outside: number; optOutEvery: number; noConsentEvery: number; now: number },
): Promise<Seeded> {
  const kinds = new Map<string, Kind>();
  const all = o.total + o.outside;
  for (let start = 0; start < all; start += 500) {
    await store.transaction(async (tx) => {
      for (let i = start; i < Math.min(all, start + 500); i++) {
        const phone = phoneOf(i);
        const inSegment = i < o.total;
        const kind: Kind = !inSegment
          ? 'not-in-segment'
          : (i + 1) % o.noConsentEvery === 0
            ? 'no-consent'
            : (i + 1) % o.optOutEvery === 0
              ? 'opted-out'
              : 'eligible';
        kinds.set(phone, kind);
        const c = await tx.createContact(
          { name: `Customer ${i}`, optOuts: kind === 'opted-out' ? ['sms'] : [] },
          { kind: 'phone', value: phone },
          o.now,
        );
        if (inSegment) await tx.addTags(c.id, ['newsletter']);
        if (kind !== 'no-consent') {
          await tx.recordContactChange({
            contactId: c.id,
            kind: 'consent',
            channel: 'sms',
            on: true,
            source: 'test',
            at: o.now,
          });
        }
      }
    });
  }
  const eligible = new Set([...kinds].filter(([, k]) => k === 'eligible').map(([p]) => p));
  return { kinds, eligible };
}

export async function seedDataDir(dataDir: string, o: Parameters<typeof seedContacts>[1]): Promise<Seeded> {
  const store = await openStore({ dataDir, log: silentLogger });
  try {
    return await seedContacts(store, o);
  } finally {
    await store.close();
  }
}
