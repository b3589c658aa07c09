import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { skipsOf } from '../../src/broadcast/desk-summary.ts';
import { expandBatch } from '../../src/broadcast/expand.ts';
import { quietUntil } from '../../src/broadcast/quiet-hours.ts';
import { withBugResolved } from '../../src/broadcast/segment-bug.ts';
import { type SendDeps, sendToRecipient } from '../../src/broadcast/send-one.ts';
import { createCalendar } from '../../src/calendar/calendar.ts';
import { silentLogger } from '../../src/log.ts';
import { createOutbound } from '../../src/outbound/outbound.ts';
import { contactsFile } from '../../src/settings/contacts-schema.ts';
import type { Broadcast, NewBroadcast } from '../../src/store/broadcast-records.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { dropSchema, freshSchema } from '../support/pg-schema.ts';

const t = (iso: string) => Date.parse(iso);
// A Monday in January: London is on GMT, New York five hours behind.
const MON_10 = t('2026-01-05T10:00:00Z');
const weekdays = ['09:00-17:00'];
const calendar = createCalendar({
  timezone: 'Europe/London',
  hours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
  holidays: ['2026-01-06'],
});

describe('quiet hours in the contact’s own timezone', () => {
  it('lets a London contact through at 10:00 London time', () => {
    expect(quietUntil(calendar, 'Europe/London', MON_10, 'sms')).toBeNull();
    expect(quietUntil(calendar, null, MON_10, 'sms')).toBeNull();
  });
  it('holds a New York contact until 09:00 in New York', () => {
    expect(quietUntil(calendar, 'America/New_York', MON_10, 'sms')).toBe(t('2026-01-05T14:00:00Z'));
  });
  it('keeps the calendar’s holidays: Tuesday is closed, so Wednesday 09:00', () => {
    expect(quietUntil(calendar, 'Europe/London', t('2026-01-05T18:00:00Z'), 'sms')).toBe(t('2026-01-07T09:00:00Z'));
  });
  it('takes an unknown timezone for the business’s', () => {
    expect(quietUntil(calendar, 'Mars/Olympus', MON_10, 'sms')).toBeNull();
  });
});

const stores: Array<{ kind: 'sqlite' | 'postgres'; open: () => Promise<Store>; cleanup: () => Promise<void> }> = [];
let dirCount = 0;
stores.push({
  kind: 'sqlite',
  open: async () => openStore({ dataDir: `.tmp/broadcast-store-${process.pid}-${dirCount++}`, log: silentLogger }),
  cleanup: async () => {},
});
const databaseUrl = process.env.DATABASE_URL;
const pgSchema = freshSchema('tp_bc');
if (databaseUrl) {
  stores.push({
    kind: 'postgres',
    open: async () =>
      openStore({ databaseUrl, schema: `${pgSchema}_${dirCount++}`, dataDir: '/nonexistent', log: silentLogger }),
    cleanup: async () => {
      for (let i = 0; i < dirCount; i++) await dropSchema(databaseUrl, `${pgSchema}_${i}`);
    },
  });
}

afterAll(async () => {
  for (const s of stores) await s.cleanup();
});

const draft = (over: Partial<NewBroadcast> = {}): NewBroadcast => ({
  name: 'Spring',
  channel: 'sms',
  segment: { tags: ['news'] },
  message: { text: 'Hi {name}', languages: { de: 'Hallo {name}' } },
  quietHours: true,
  status: 'running',
  startAt: MON_10,
  createdBy: 'ann',
  createdAt: MON_10,
  ...over,
});

const deps = (): SendDeps => ({
  outbound: createOutbound({ destinationOf: () => '+14155550100' }),
  firstContact: {
    settings: contactsFile.parse({}).firstContact,
    startThread: (channel, req) => ({
      threadKey: `${channel}:${req.to.value}`,
      touchpoint: { channel, kind: channel, visibility: 'private' },
      replyRef: null,
    }),
    windowHoursOf: () => null,
  },
  calendar,
});

/** Ann's SMS conversation, the shape the others copy. */
const conversationOf = (contactId: string) => ({
  contactId,
  touchpoint: { channel: 'sms', kind: 'sms', visibility: 'private' as const },
  threadKey: 'sms:+14155557001',
  status: 'resolved' as const,
  category: null,
  intent: null,
  priority: 'normal' as const,
  assignee: null,
  tags: [],
  links: [],
  sla: {},
  flowState: null,
  replyRef: null,
  lastInboundAt: MON_10 - 86_400_000,
});

for (const s of stores) {
  describe(`broadcast recipients on ${s.kind}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await s.open();
    });
    afterEach(async () => {
      await store.close();
    });

    /** Contacts: `a` (news, VIP, city Leeds, wrote on sms), `b` (news), `c` (no tag). */
    async function seed() {
      return store.transaction(async (tx) => {
        const a = await tx.createContact(
          { name: 'Ann', vip: true, attributes: { city: 'Leeds' } },
          { kind: 'phone', value: '+14155557001' },
          MON_10,
        );
        const b = await tx.createContact(
          { name: 'Bob', language: 'de' },
          { kind: 'phone', value: '+14155557002' },
          MON_10,
        );
        const c = await tx.createContact({ name: 'Cy' }, { kind: 'phone', value: '+14155557003' }, MON_10);
        await tx.addTags(a.id, ['news']);
        await tx.addTags(b.id, ['news']);
        for (const x of [a, b, c]) {
          await tx.recordContactChange({
            contactId: x.id,
            kind: 'consent',
            channel: 'sms',
            on: true,
            source: 'test',
            at: MON_10,
          });
        }
        const conv = await tx.createConversation(conversationOf(a.id), MON_10);
        return { a, b, c, conv };
      });
    }

    it('finds a segment by tags, attributes, VIP, channel and last contact', async () => {
      const { a, b } = await seed();
      const ids = async (segment: Broadcast['segment']) =>
        (await store.segmentPage(segment, null, 100)).map((c) => c.id).sort();
      expect(await ids({ tags: ['news'] })).toEqual([a.id, b.id].sort());
      expect(await ids({ tags: ['news'], vip: false })).toEqual([b.id]);
      expect(await ids({ attributes: { city: 'Leeds' } })).toEqual([a.id]);
      expect(await ids({ channel: 'sms' })).toEqual([a.id]);
      expect(await ids({ lastContactAfter: MON_10 - 2 * 86_400_000 })).toEqual([a.id]);
      expect(await ids({ lastContactAfter: MON_10 })).toEqual([]);
    });

    it('finds the contacts of the conversations linked to a known issue, with the other parts', async () => {
      const { a, c, conv } = await seed();
      const bug = await store.transaction(async (tx) => {
        const bug = await tx.bugs.add({
          tracker: 'github',
          key: '42',
          url: 'https://github.com/harbour/shop/issues/42',
          title: 'Card payments fail',
          severity: 'high',
          createdAt: MON_10,
        });
        const other = await tx.bugs.add({
          tracker: 'github',
          key: '43',
          url: 'https://github.com/harbour/shop/issues/43',
          title: 'Typo',
          severity: 'low',
          createdAt: MON_10,
        });
        await tx.bugs.link(bug.id, conv.id, MON_10);
        // Cy: two conversations linked to the bug, one to another bug; Bob: none.
        for (const [channel, linked] of [
          ['sms', [bug.id, other.id]],
          ['email', [bug.id]],
        ] as const) {
          const cc = await tx.createConversation(
            {
              ...conversationOf(c.id),
              touchpoint: { channel, kind: channel, visibility: 'private' },
              threadKey: `${channel}:cy`,
            },
            MON_10,
          );
          for (const id of linked) await tx.bugs.link(id, cc.id, MON_10);
        }
        return bug;
      });
      const ids = async (segment: Broadcast['segment']) =>
        (await store.segmentPage(segment, null, 100)).map((x) => x.id).sort();
      expect(await ids({ bug: bug.id })).toEqual([a.id, c.id].sort());
      expect(await ids({ bug: bug.id, tags: ['news'] })).toEqual([a.id]);
      expect(await ids({ bug: bug.id, vip: false })).toEqual([c.id]);
      expect(await ids({ bug: bug.id, channel: 'email' })).toEqual([c.id]);
      expect(await ids({ bug: 'no-such-bug' })).toEqual([]);

      // Named by the admin: the bug's id, its number or its URL; resolved to the bug's id once.
      const resolve = (ref: string) => store.transaction((tx) => withBugResolved(tx, { tags: ['news'], bug: ref }));
      for (const ref of [bug.id, '42', '#42', 'https://github.com/harbour/shop/issues/42?x=1'])
        expect(await resolve(ref)).toEqual({ tags: ['news'], bug: bug.id });
      expect(await resolve('#43')).toEqual({ tags: ['news'], bug: expect.not.stringMatching(bug.id) });
      for (const ref of ['#99', 'https://github.com/other/repo/issues/42', 'card payments'])
        await expect(resolve(ref)).rejects.toMatchObject({ status: 400, code: 'unknown_bug' });
    });

    it('expands in batches, resumes where it stopped, and adds nobody twice', async () => {
      await seed();
      const b = await store.transaction((tx) => tx.createBroadcast(draft({ segment: {} })));
      expect(await expandBatch(store, b.id, 2, MON_10)).toBe(false);
      expect(await expandBatch(store, b.id, 2, MON_10)).toBe(true);
      expect((await store.broadcastProgress(b.id)).recipients).toBe(3);
      // A crash after a batch committed but before the broadcast moved on: the same contacts again add nothing.
      const again = await store.transaction(async (tx) => {
        const page = await tx.segmentPage({}, null, 10);
        return tx.addRecipients(
          b.id,
          page.map((c) => c.id),
          page.at(-1)?.id ?? null,
          true,
          MON_10,
        );
      });
      expect(again).toBe(0);
      expect((await store.broadcastProgress(b.id)).recipients).toBe(3);
    });

    it('queues one message per recipient, in its conversation with a note, and never a second', async () => {
      const { a, b: bob, conv } = await seed();
      const b = await store.transaction((tx) => tx.createBroadcast(draft()));
      await expandBatch(store, b.id, 10, MON_10);
      const due = await store.dueRecipients(b.id, MON_10, 10);
      expect(due).toHaveLength(2);
      for (const r of due) {
        expect(await store.transaction((tx) => sendToRecipient(tx, b, r, deps(), MON_10))).toBe('queued');
        // A second instance holding the same row: taken, nothing queued.
        expect(await store.transaction((tx) => sendToRecipient(tx, b, r, deps(), MON_10))).toBe('taken');
      }
      expect(await store.countOutbox('pending')).toBe(2);
      const messages = await store.listMessages(conv.id, { includeInternal: true });
      expect(messages.map((m) => [m.visibility, m.text])).toEqual([
        ['customer', 'Hi Ann'],
        ['internal', expect.stringContaining(`Broadcast "Spring" (${b.id})`)],
      ]);
      expect(await store.broadcastOfConversation(conv.id)).toEqual({ id: b.id, name: 'Spring' });
      // Marked as outreach, it is nobody's first response (src/facts/derive.ts).
      expect(messages[0]?.author).toEqual({ kind: 'bot', id: `broadcast:${b.id}` });
      expect(await store.factsBetween(['first_response', 'next_response'], 0, MON_10 + 1)).toEqual([]);
      // A reply counts once its message was queued: Ann's earlier message does not, her answer does.
      const says = (at: number) =>
        store.insertMessage(
          {
            conversationId: conv.id,
            direction: 'inbound',
            author: { kind: 'contact', id: a.id },
            text: 'yes please',
            attachments: [],
            providerId: null,
            status: 'received',
            visibility: 'customer',
          },
          at,
        );
      await says(MON_10 - 60_000);
      expect((await store.broadcastOutcomes(b.id)).replied).toBe(0);
      await says(MON_10 + 60_000);
      expect((await store.broadcastOutcomes(b.id)).replied).toBe(1);
      const bobs = await store.findConversationsOfContact(bob.id);
      expect((await store.listMessages(bobs[0]?.id as string))[0]?.text).toBe('Hallo Bob');
      expect(await store.broadcastInFlight(b.id)).toBe(2);
      expect((await store.broadcastProgress(b.id)).queued).toBe(2);
      expect(a.id).toBeTruthy();
    });

    it('checks opt-outs and consent at send time, not only when the segment was expanded', async () => {
      const { a, b: bob } = await seed();
      const b = await store.transaction((tx) =>
        tx.createBroadcast(draft({ segment: { tags: ['news'], consent: 'sms' } })),
      );
      await expandBatch(store, b.id, 10, MON_10);
      await store.transaction(async (tx) => {
        await tx.updateContact(a.id, { optOuts: ['sms'] });
        await tx.recordContactChange({
          contactId: bob.id,
          kind: 'consent',
          channel: 'sms',
          on: false,
          source: 'test',
          at: MON_10,
        });
      });
      for (const r of await store.dueRecipients(b.id, MON_10, 10)) {
        expect(await store.transaction((tx) => sendToRecipient(tx, b, r, deps(), MON_10))).toBe('skipped');
      }
      expect(await store.countOutbox('pending')).toBe(0);
      expect((await store.broadcastProgress(b.id)).skipped).toBe(2);
      // The desk's summary tells them apart by the reason kept for each.
      expect(skipsOf(await store.broadcastOutcomes(b.id))).toEqual({
        optedOut: 1,
        noConsent: 1,
        quietHours: 0,
        other: 0,
      });
    });

    it('defers a recipient in quiet hours to when the calendar opens in their timezone', async () => {
      const { a } = await seed();
      await store.updateContact(a.id, { timezone: 'America/New_York' });
      const b = await store.transaction((tx) => tx.createBroadcast(draft({ segment: { vip: true } })));
      await expandBatch(store, b.id, 10, MON_10);
      const [r] = await store.dueRecipients(b.id, MON_10, 10);
      expect(await store.transaction((tx) => sendToRecipient(tx, b, r as never, deps(), MON_10))).toBe('deferred');
      expect(await store.dueRecipients(b.id, MON_10, 10)).toEqual([]);
      expect(await store.dueRecipients(b.id, t('2026-01-05T14:00:00Z'), 10)).toHaveLength(1);
      expect(skipsOf(await store.broadcastOutcomes(b.id))).toEqual({
        optedOut: 0,
        noConsent: 0,
        quietHours: 1,
        other: 0,
      });
    });

    it('cancels what is pending, and a cancelled recipient is never sent', async () => {
      await seed();
      const b = await store.transaction((tx) => tx.createBroadcast(draft()));
      await expandBatch(store, b.id, 10, MON_10);
      const due = await store.dueRecipients(b.id, MON_10, 10);
      expect(await store.transaction((tx) => tx.cancelRecipients(b.id, MON_10))).toBe(2);
      for (const r of due)
        expect(await store.transaction((tx) => sendToRecipient(tx, b, r, deps(), MON_10))).toBe('taken');
      expect(await store.countOutbox('pending')).toBe(0);
    });
  });
}
