import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type KpiStore, storeClosedDays } from '../../src/metrics/kpi-load.ts';
import { DIMENSIONS, type KpiRange, measure } from '../../src/metrics/kpis.ts';
import { buildReport } from '../../src/metrics/report.ts';
import { policyFiles } from '../../src/settings/policy-schema.ts';
import type { Store } from '../../src/store/contract.ts';
import { weekdayCalendar } from '../support/business.ts';
import { newConversation } from '../support/records.ts';
import { message, T0 } from './fixtures.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const calendar = weekdayCalendar();
const AGENTS = ['ann', 'bob'];

/** The same store read with every day live: what the stored days must equal. */
const liveOnly = (store: Store): KpiStore => ({
  factInputs: (kinds, from, to) => store.factInputs(kinds, from, to),
  kpiDays: async () => ({ firstOpenedAt: null, days: new Map() }),
  kpiDay: () => Promise.reject(new Error('a live read stores no day')),
  openBacklog: (now) => store.openBacklog(now),
});

type Op =
  | { kind: 'in' | 'bot' | 'resolve' | 'reopen' | 'escalate' }
  | { kind: 'agent' | 'assign'; agent: string }
  | { kind: 'csat'; score: number }
  | { kind: 'help'; score: number }
  | { kind: 'category'; category: string | null }
  | { kind: 'vip'; vip: boolean };

const category = fc.constantFrom('orders', 'billing', null);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom<Op>({ kind: 'in' }, { kind: 'bot' }, { kind: 'resolve' }, { kind: 'reopen' }, { kind: 'escalate' }),
  fc.record({ kind: fc.constantFrom('agent' as const, 'assign' as const), agent: fc.constantFrom(...AGENTS) }),
  fc.record({ kind: fc.constant('csat' as const), score: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('help' as const), score: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('category' as const), category }),
  fc.record({ kind: fc.constant('vip' as const), vip: fc.boolean() }),
);
const conversation = fc.record({
  channel: fc.constantFrom('email', 'sms'),
  category,
  /** Minutes after the run's start it opens (up to 12 days). */
  opensAt: fc.integer({ min: 0, max: 12 * 24 * 60 }),
  /** Each step after the previous one, up to a day and a half later. */
  steps: fc.array(fc.tuple(fc.integer({ min: 1, max: 36 * 60 }), op), { maxLength: 8 }),
});
const history = fc.record({
  conversations: fc.array(conversation, { minLength: 1, maxLength: 6 }),
  /** Written after the days were stored: late facts, reopens, re-categorising, VIP marks. */
  late: fc.array(fc.tuple(fc.nat(), op), { maxLength: 6 }),
});

interface Opened {
  id: string;
  contactId: string;
}

async function apply(store: Store, c: Opened, o: Op, at: number): Promise<void> {
  const customer = { direction: 'inbound' as const, author: { kind: 'contact' as const, id: c.contactId } };
  switch (o.kind) {
    case 'in':
      await store.insertMessage(message(c.id, { ...customer, status: 'received', createdAt: at }), at);
      return;
    case 'bot':
      await store.insertMessage(message(c.id, { createdAt: at }), at);
      return;
    case 'agent':
      await store.insertMessage(message(c.id, { author: { kind: 'agent', id: o.agent }, createdAt: at }), at);
      return;
    case 'assign':
      await store.updateConversation(c.id, { assignee: o.agent }, at);
      return;
    case 'resolve':
      await store.updateConversation(c.id, { status: 'resolved' }, at);
      return;
    case 'reopen':
      await store.updateConversation(c.id, { status: 'open' }, at);
      return;
    case 'escalate':
      await store.updateConversation(c.id, { tags: ['escalated'] }, at);
      return;
    case 'csat':
      await store.recordFact(c.id, 'csat', at, { score: o.score, flow: 'csat' });
      return;
    case 'help':
      await store.recordFact(c.id, 'self_service', at, { score: o.score, flow: 'help' });
      return;
    case 'category':
      await store.updateConversation(
        c.id,
        { category: o.category, intent: o.category && `${o.category}-question` },
        at,
      );
      return;
    case 'vip':
      await store.updateContact(c.contactId, { vip: o.vip });
  }
}

const options = {
  calendar,
  targets: policyFiles['targets.yaml'].parse({}),
  sla: policyFiles['sla.yaml'].parse({ policies: [{ name: 'standard', firstResponse: '1h' }] }),
  complaints: ['billing'],
};

/** Every KPI, by every dimension, and the report's series: from stored days as from live reads. */
async function expectSame(store: Store, range: KpiRange): Promise<void> {
  for (const by of [undefined, ...DIMENSIONS]) {
    const r = { ...range, ...(by ? { by } : {}) };
    expect(await measure(store, r, calendar)).toEqual(await measure(liveOnly(store), r, calendar));
  }
  const report = async (s: KpiStore) => {
    const { firstResponses, ...rest } = await buildReport(
      {
        factInputs: (kinds, from, to) => s.factInputs(kinds, from, to),
        kpiDays: (from, to) => s.kpiDays(from, to),
        kpiDay: (day, kinds, aggregate) => s.kpiDay(day, kinds, aggregate),
        openBacklog: (now) => s.openBacklog(now),
        resolutionsBetween: (from, to) => store.resolutionsBetween(from, to),
      },
      { ...range, ...options, by: 'channel' },
    );
    return { ...rest, firstResponses: firstResponses.sort((a, b) => a.minutes - b.minutes) };
  };
  expect(await report(store)).toEqual(await report(liveOnly(store)));
}

export function kpiDaysContract(get: () => Store): void {
  describe('KPI days', () => {
    it('gives the KPIs of stored days exactly as read live, before and after late writes under them', async () => {
      const store = get();
      let run = 0;
      await fc.assert(
        fc.asyncProperty(history, async (h) => {
          // each run on days of its own, far from the others'
          const start = T0 + run++ * 40 * DAY;
          const opened: Opened[] = [];
          for (const [i, c] of h.conversations.entries()) {
            let at = start + c.opensAt * MIN;
            const contact = await store.createContact(
              { name: 'Ann' },
              { kind: 'email', value: `a${run}-${i}@x.test` },
              at,
            );
            const conv = await store.createConversation(
              newConversation(contact.id, c.channel, `k${run}-${i}`, { category: c.category }),
              at,
            );
            const one = { id: conv.id, contactId: contact.id };
            opened.push(one);
            for (const [gap, o] of c.steps) {
              at += gap * MIN;
              await apply(store, one, o, at);
            }
          }
          const now = start + 30 * DAY;
          // a first day cut in two, whole days stored, the last days live
          const range = { from: start - 7 * 3_600_000, to: now + 1, now };
          await expectSame(store, range);
          expect((await store.kpiDays(start, now)).days.size).toBeGreaterThan(0);
          for (const [pick, o] of h.late) await apply(store, opened[pick % opened.length] as Opened, o, now);
          await expectSame(store, range);
        }),
        { seed: 0x21_2026, numRuns: 20 },
      );
    }, 240_000);

    it('reads a re-categorised conversation under its new category, though its day was stored', async () => {
      const store = get();
      const contact = await store.createContact({ name: 'Ann' }, { kind: 'email', value: 'ann@x.test' }, T0);
      const c = await store.createConversation(
        newConversation(contact.id, 'email', 'k', { category: 'orders', status: 'closed' }),
        T0,
      );
      const now = T0 + 20 * DAY;
      const range = { from: T0 - DAY, to: now, now, by: 'category' as const };
      const keys = async () => (await measure(store, range, calendar)).groups.map((g) => g.key);
      expect(await keys()).toEqual(['orders']);
      expect((await store.kpiDays(T0 - DAY, now)).days.size).toBeGreaterThan(0);
      await store.updateConversation(c.id, { category: 'billing' }, now);
      expect(await keys()).toEqual(['billing']);
      await store.updateContact(contact.id, { vip: true });
      expect((await measure(store, { ...range, by: 'vip' }, calendar)).groups.map((g) => g.key)).toEqual(['vip']);
      // a customer's first message, late: the conversation now asked for help
      await apply(store, { id: c.id, contactId: contact.id }, { kind: 'in' }, now);
      expect((await measure(store, range, calendar)).total.deflection.of).toBe(1);
      await apply(store, { id: c.id, contactId: contact.id }, { kind: 'csat', score: 5 }, now - 10 * DAY);
      expect((await measure(store, range, calendar)).total.csat.of).toBe(1);
    });

    it('does not count as deflected a conversation whose customer said days later that the answers did not help', async () => {
      const store = get();
      const contact = await store.createContact({ name: 'Ann' }, { kind: 'email', value: 'ann@x.test' }, T0);
      const c = await store.createConversation(newConversation(contact.id, 'email', 'k', { status: 'closed' }), T0);
      const one = { id: c.id, contactId: contact.id };
      await apply(store, one, { kind: 'in' }, T0);
      await apply(store, one, { kind: 'bot' }, T0 + MIN);
      await apply(store, one, { kind: 'help', score: 0 }, T0 + 3 * DAY);
      const now = T0 + 20 * DAY;
      const { total } = await measure(store, { from: T0 - DAY, to: now, now }, calendar);
      expect(total.deflection).toEqual({ of: 1, hits: 0, rate: 0 });
      expect((await store.kpiDays(T0 - DAY, now)).days.size).toBeGreaterThan(0);
    });

    it('stores only days that ended two days before, so a write to a conversation opened within a day drops none', async () => {
      const store = get();
      const now = T0 + 20 * DAY + 10 * 3_600_000;
      const opened: Opened[] = [];
      for (const [i, at] of [T0, now - 20 * 3_600_000].entries()) {
        const contact = await store.createContact({ name: 'Ann' }, { kind: 'email', value: `y${i}@x.test` }, at);
        const c = await store.createConversation(newConversation(contact.id, 'email', `y${i}`), at);
        const one = { id: c.id, contactId: contact.id };
        await apply(store, one, { kind: 'in' }, at);
        opened.push(one);
      }
      await storeClosedDays(store, now, 90);
      const days = [...(await store.kpiDays(0, now + DAY)).days.keys()];
      expect(days.length).toBeGreaterThan(0);
      expect(Math.max(...days) + DAY).toBeLessThanOrEqual(now - 2 * DAY);
      // yesterday's conversation answered now: its day is read live
      await apply(store, opened[1] as Opened, { kind: 'agent', agent: 'ann' }, now);
      await expectSame(store, { from: T0 - DAY, to: now + 1, now });
    });

    it('drops the stored days when a merge or an erasure changes whose VIP a conversation is', async () => {
      const store = get();
      const vip = await store.createContact({ name: 'Vi', vip: true }, { kind: 'email', value: 'vi@x.test' }, T0);
      const other = await store.createContact({ name: 'Bo' }, { kind: 'email', value: 'bo@x.test' }, T0);
      await store.createConversation(newConversation(other.id, 'email', 'k', { status: 'closed' }), T0);
      const now = T0 + 20 * DAY;
      const keys = async () =>
        (await measure(store, { from: T0 - DAY, to: now, now, by: 'vip' }, calendar)).groups.map((g) => g.key);
      expect(await keys()).toEqual(['not vip']);
      await store.moveContactRows(other.id, vip.id);
      expect(await keys()).toEqual(['vip']);
      await store.eraseContactRows(vip.id, now);
      expect(await keys()).toEqual(['not vip']);
    });

    it('counts a staff thread once retention has emptied it of its tags, though its day was stored', async () => {
      const store = get();
      const contact = await store.createContact({ name: 'Ann' }, { kind: 'email', value: 'ann@x.test' }, T0);
      const staff = newConversation(contact.id, 'email', 'k', { status: 'closed', tags: ['staff'] });
      await store.createConversation(staff, T0);
      const now = T0 + 20 * DAY;
      const volume = async () =>
        (await measure(store, { from: T0 - DAY, to: now, now }, calendar)).total.volume.conversations;
      expect(await volume()).toBe(0);
      // updated at T0, expired before T0 + 1 day: emptied, then shelled with no tags
      let shelled = 0;
      for (let i = 0; i < 5 && shelled === 0; i++)
        shelled = (await store.pruneExpired('resolvedConversations', { except: [] }, T0 + DAY, 100)).conversations;
      expect(shelled).toBe(1);
      expect(await volume()).toBe(1);
    });
  });
}
