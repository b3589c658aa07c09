import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, MINUTE, TUE_1000 } from './support/harness.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 0, day, hour, minute);
const HOUR = 60 * MINUTE;

async function only() {
  const [c, ...rest] = (await h.conversations()).filter((x) => !x.tags.includes('staff'));
  expect(rest).toHaveLength(0);
  if (!c) throw new Error('no conversation');
  return c;
}

async function notes(id: string): Promise<Array<[string, string]>> {
  return (await h.messages(id, true))
    .filter((m) => m.visibility === 'internal')
    .map((m) => [new Date(m.createdAt).toISOString().slice(11, 16), m.text]);
}

describe('SLA clocks', () => {
  it('warns before a breach, then escalates: notify, reassign, page — on the virtual clock', async () => {
    h = await createHarness({ at: TUE_1000 });
    await h.send({ text: 'hello' });
    const conv = await only();
    expect(conv.sla.firstResponseDue).toBe(at(6, 11));
    await h.advance(150 * MINUTE);

    expect(await notes(conv.id)).toEqual([
      ['10:45', 'SLA warning: the first response is due Tue 11:00.'],
      ['10:45', 'Told Sam (first response SLA).'],
      ['11:00', 'SLA breached: the first response was due Tue 11:00.'],
      ['11:00', 'Told Sam (first response SLA).'],
      ['11:30', 'SLA escalation: reassigned to Sam (first response overdue).'],
      ['11:30', 'Told Sam (first response SLA).'],
      ['12:30', 'Paged Maya on sms (SLA breach: first response).'],
    ]);
    const after = await only();
    expect(after.tags).toEqual(expect.arrayContaining(['sla-warning', 'sla-breached']));
    expect(after.assignee).toBe('sam');
    const sam = await h.staffConversation('email', 'sam@shop.example');
    expect((await h.messages(sam?.id ?? '')).map((m) => m.text)).toEqual([
      'SLA warning at Test Shop: the first response for Ada on webchat is due Tue 11:00.',
      'SLA breached at Test Shop: the first response for Ada on webchat was due Tue 11:00.',
      'Over to you, Sam: Ada on webchat is waiting; the first response was due Tue 11:00.',
    ]);
  });

  it('is met by an agent’s reply, and the next response clock starts when the customer writes again', async () => {
    h = await createHarness({ at: TUE_1000 });
    await h.send({ text: 'hello' });
    const conv = await only();
    await h.advance(20 * MINUTE);
    await h.actions.reply(conv.id, { text: 'Hi Ada, how can we help?', agent: 'jo' });
    await h.advance(2 * HOUR);
    expect(await notes(conv.id)).toEqual([]);

    await h.send({ providerId: 'again', text: 'about my cake' });
    const waiting = await only();
    expect(waiting.sla.nextResponseDue).toBe(h.clock.now() + 2 * HOUR);
    await h.advance(2 * HOUR);
    expect((await notes(conv.id)).map(([, text]) => text)).toContain(
      'SLA breached: the next response was due Tue 14:20.',
    );
  });

  it('counts business time: a message late in the day is due the next morning', async () => {
    h = await createHarness({ at: at(6, 16, 30) });
    await h.send({ text: 'hello' });
    expect((await only()).sla.firstResponseDue).toBe(at(7, 9, 30));
  });

  it('waits for the opening with a message queued after hours', async () => {
    h = await createHarness({ at: at(5, 23) });
    await h.send({ text: 'hello' });
    const queued = await only();
    expect(queued.status).toBe('snoozed');
    expect(queued.sla.firstResponseDue).toBe(at(6, 10));
    // nothing overnight: the warning comes 45 business minutes after the 09:00 opening
    await h.advance(10 * HOUR + 50 * MINUTE);
    expect((await notes(queued.id)).map(([time]) => time)).toEqual(['09:45', '09:45']);
  });

  it('pauses resolution while waiting on the customer and resumes with the time that was left', async () => {
    h = await createHarness({ at: TUE_1000 });
    await h.send({ text: 'hello' });
    const conv = await only();
    expect(conv.sla.resolutionDue).toBe(at(7, 10));
    await h.advance(30 * MINUTE);
    await h.actions.reply(conv.id, { text: 'We are on it.', agent: 'jo' });
    expect((await only()).sla.pausedAt).toBe(at(6, 10, 30));

    // Wednesday 14:30 the customer answers: 7.5 business hours were left (10:30–17:00, 9:00–10:00)
    await h.advance(28 * HOUR);
    await h.send({ providerId: 'later', text: 'any news?' });
    const resumed = await only();
    expect(resumed.sla.pausedAt).toBeNull();
    expect(resumed.sla.resolutionDue).toBe(at(8, 14));
    expect((await notes(conv.id)).filter(([, text]) => text.includes('resolution'))).toEqual([]);
  });

  it('gives VIP contacts their own targets and priority', async () => {
    h = await createHarness({ at: TUE_1000 });
    await h.store.transaction((tx) =>
      tx.createContact({ name: 'Vi', vip: true }, { kind: 'webchat', value: 'v1' }, TUE_1000),
    );
    await h.send({ text: 'hello' });
    const conv = await only();
    expect(conv.priority).toBe('high');
    expect(conv.sla.firstResponseDue).toBe(at(6, 10, 30));
  });

  it('stops every clock when the conversation is resolved', async () => {
    h = await createHarness({ at: TUE_1000 });
    await h.send({ text: 'hello' });
    const conv = await only();
    await h.actions.resolve(conv.id, 'jo');
    await h.advance(3 * HOUR);
    expect(await notes(conv.id)).toEqual([]);
    expect((await only()).sla).toEqual({});
  });
});
