import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/model/types.ts';
import { createHarness, type Harness, MINUTE, TUE_1000 } from './support/harness.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const HOUR = 60 * MINUTE;
/** Ann takes orders until noon (one at a time), Bob anything from 11:00, Cat only German speakers. */
const desk = {
  assignment: {
    strategy: 'least-open',
    cap: 2,
    agents: {
      ann: { name: 'Ann', shifts: { tue: ['09:00-12:00'] }, skills: { categories: ['orders'] }, cap: 1 },
      bob: { name: 'Bob', shifts: { tue: ['11:00-17:00'] } },
      cat: { name: 'Cat', shifts: { tue: ['09:00-17:00'] }, skills: { languages: ['de'] } },
    },
  },
  acknowledge: { template: 'desk_ack' },
};
const sla = { policies: [{ name: 'standard', firstResponse: '1h', nextResponse: '2h' }] };
const visitor = (v: string) => ({ threadKey: `webchat:${v}`, from: { kind: 'webchat', value: v, name: v } });

async function conversationOf(v: string): Promise<Conversation> {
  const c = (await h.conversations()).find((x) => x.threadKey === `webchat:${v}`);
  if (!c) throw new Error(`no conversation for ${v}`);
  return c;
}
const customerTexts = async (id: string) =>
  (await h.messages(id)).filter((m) => m.direction === 'outbound').map((m) => m.text);
const notes = async (id: string) =>
  (await h.messages(id, true))
    .filter((m) => m.visibility === 'internal')
    .map((m) => `${new Date(m.createdAt).toISOString().slice(11, 16)} ${m.text}`);

describe('the desk procedure: assignment on shift, the acknowledgement of receipt', () => {
  it('assigns by skills, shift and cap; acknowledges once when nobody can answer; reassigns at the end of a shift', async () => {
    h = await createHarness({ at: TUE_1000, config: { desk, sla } });

    // 10:00 — Ann is on shift, takes orders and has room: hers, and no acknowledgement is needed.
    await h.send({ text: 'I need a person about my order', ...visitor('v1') });
    const first = await conversationOf('v1');
    expect(first.assignee).toBe('ann');
    expect(await customerTexts(first.id)).toEqual(['Connecting you to a person.']);
    expect(await notes(first.id)).toContain('10:00 Assigned to Ann (least-open, on shift).');
    const audit = await h.store.listAudit({ conversationId: first.id, action: 'assign' });
    expect(audit).toMatchObject([{ actorId: 'assignment', actorRole: 'system', detail: { assignee: 'ann' } }]);

    // 10:05 — Ann is at her cap, Bob is not on yet, Cat answers German speakers only: nobody can answer
    // within the hour, so the customer is told what to expect, once however often they write.
    await h.advance(5 * MINUTE);
    await h.send({ text: 'I want a person please', ...visitor('v2') });
    const second = await conversationOf('v2');
    expect(second.assignee).toBeNull();
    expect(await notes(second.id)).toContain('10:05 Not assigned: every agent on shift who fits is at their cap.');
    await h.send({ text: 'hello? anyone?', ...visitor('v2') });
    await h.advance(20 * MINUTE);
    const acks = (await customerTexts(second.id)).filter((t) => t.includes('will answer within'));
    expect(acks).toEqual(['Thanks v2, a person will answer within 1 hour.']);

    // 11:00 Bob comes on: the waiting conversation is his at the next look (every 10 minutes while all are full).
    await h.advance(45 * MINUTE);
    expect((await conversationOf('v2')).assignee).toBe('bob');

    // 12:00 Ann goes off shift with her conversation open: it goes to Bob, who has room, and the log says why.
    await h.advance(HOUR);
    expect((await conversationOf('v1')).assignee).toBe('bob');
    expect(await notes(first.id)).toContain('12:00 Assigned to Bob (least-open, Ann went off shift).');
    const moves = await h.store.listAudit({ conversationId: first.id, action: 'assign' });
    expect(moves.map((e) => e.detail.assignee)).toEqual(['bob', 'ann']);
  });

  it('sends a customer whose agent left back to the queue when nobody fits, then assigns at the next shift', async () => {
    const solo = { ...desk, assignment: { ...desk.assignment, agents: { ann: desk.assignment.agents.ann } } };
    h = await createHarness({ at: TUE_1000, config: { desk: solo, sla } });
    await h.send({ text: 'I need a person', ...visitor('v1') });
    expect((await conversationOf('v1')).assignee).toBe('ann');
    await h.advance(2 * HOUR + MINUTE);
    const c = await conversationOf('v1');
    expect(c.assignee).toBeNull();
    expect(await notes(c.id)).toContain(
      '12:00 Ann went off shift with this open: back in the queue until an agent who fits is on.',
    );
    // next Tuesday 09:00, Ann's next shift: assigned again
    h.clock.set(Date.UTC(2026, 0, 13, 9, 1));
    await h.timers.drain();
    expect((await conversationOf('v1')).assignee).toBe('ann');
  });

  it('acknowledges in opening hours only, and not at all without a response standard', async () => {
    h = await createHarness({ at: TUE_1000, config: { desk: { acknowledge: { template: 'desk_ack' } }, sla: {} } });
    await h.send({ text: 'I need a person', ...visitor('v1') });
    const c = await conversationOf('v1');
    expect(await customerTexts(c.id)).toEqual(['Connecting you to a person.']);
  });
});
