import { MINUTES_PER_DAY, parseLocalDateTime } from '../calendar/civil.ts';
import { localAt } from '../calendar/zone.ts';
import type { IdentityRef } from '../model/types.ts';
import { identityKindFor, type OncallSettings, type Person } from '../settings/policy-schema.ts';

/**
 * The staff of oncall.yaml: who each person is, how to reach them, and who is
 * on duty at an instant by the rotation. Shifts are counted in local wall
 * time, so a 07:00 handover stays at 07:00 across daylight-saving changes.
 */

export interface StaffMember extends Person {
  id: string;
  identity: IdentityRef;
}

export interface Roster {
  get(id: string): StaffMember | null;
  /** On duty at `at` by the rotation; null without one. */
  onCall(at: number): StaffMember | null;
  /** The person resolved from `oncall`, `next` or a person id, at `at`. */
  resolve(ref: string, at: number): StaffMember | null;
  /** The escalation chain at `at`: people in order, each once; for a VIP, the `vip` people first. */
  chain(at: number, vip?: boolean): StaffMember[];
}

export function createRoster(settings: OncallSettings, timeZone: string): Roster {
  const people = new Map<string, StaffMember>();
  for (const [id, p] of Object.entries(settings.people)) {
    const kind = identityKindFor(p);
    if (kind) people.set(id, { ...p, id, identity: { kind, value: p.to } });
  }
  const rotation = settings.rotation;
  const start = rotation ? parseLocalDateTime(rotation.start) : null;
  const shiftMinutes = rotation ? shiftLength(rotation.every) : 0;

  function shiftIndex(at: number): number | null {
    if (!rotation || !start || rotation.order.length === 0) return null;
    const local = localAt(timeZone, at);
    const elapsed = local.day * MINUTES_PER_DAY + local.minute - (start.day * MINUTES_PER_DAY + start.minute);
    return Math.floor(elapsed / shiftMinutes);
  }

  function inTurn(index: number | null): StaffMember | null {
    if (index === null || !rotation) return null;
    const n = rotation.order.length;
    const id = rotation.order[((index % n) + n) % n];
    return id === undefined ? null : (people.get(id) ?? null);
  }

  const roster: Roster = {
    get: (id) => people.get(id) ?? null,
    onCall: (at) => inTurn(shiftIndex(at)),
    resolve(ref, at) {
      if (ref === 'oncall') return roster.onCall(at);
      if (ref === 'next') {
        const i = shiftIndex(at);
        return i === null ? null : inTurn(i + 1);
      }
      return people.get(ref) ?? null;
    },
    chain(at, vip = false) {
      const out: StaffMember[] = [];
      for (const ref of vip ? [...settings.vip, ...settings.chain] : settings.chain) {
        const p = roster.resolve(ref, at);
        if (p && !out.some((o) => o.id === p.id)) out.push(p);
      }
      return out;
    },
  };
  return roster;
}

function shiftLength(every: string): number {
  const m = /^(\d+)(d|w)$/.exec(every);
  const n = m ? Number(m[1]) : 1;
  return Math.max(1, n) * (m?.[2] === 'w' ? 7 : 1) * MINUTES_PER_DAY;
}
