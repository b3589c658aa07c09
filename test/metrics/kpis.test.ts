import { afterEach, describe, expect, it } from 'vitest';
import { loadForDecision, newDecision, writeDecision } from '../../src/decide/write-decision.ts';
import { measure } from '../../src/metrics/kpis.ts';
import { againstTargets } from '../../src/metrics/targets.ts';
import type { Outbound } from '../../src/outbound/outbound.ts';
import { policyFiles } from '../../src/settings/policy-schema.ts';
import { createHarness, type Harness, MINUTE, policyConfig } from '../policies/support/harness.ts';
import { weekdayCalendar } from '../support/business.ts';
import { testSettings } from '../support/settings.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 0, day, hour, minute);
const HOUR = 60 * MINUTE;
const calendar = weekdayCalendar();
/** The harness's SLA without the escalation chain: no one is reassigned behind the test's back. */
const sla = {
  policies: [{ name: 'standard', firstResponse: '1h', nextResponse: '2h', resolution: '8h' }],
  warning: { before: '15m', notify: [] },
  escalation: [],
};

const visitor = (n: number, text: string) => ({
  text,
  threadKey: `webchat:v${n}`,
  from: { kind: 'webchat', value: `v${n}`, name: `Visitor ${n}` },
});

async function conversationOf(n: number) {
  const all = await h.store.listConversations({ limit: 100 });
  const c = all.find((x) => x.threadKey === `webchat:v${n}`);
  if (!c) throw new Error(`no conversation for v${n}`);
  return c;
}

const range = (now: number) => ({ from: at(5, 0), to: at(19, 0), now });

describe('KPIs over stored facts', () => {
  it('first responses by bot and by person, in wall and business time, with a breach and a next response', async () => {
    h = await createHarness({ at: at(5, 16, 30), config: { sla } });
    await h.send(visitor(2, 'hello there'));
    const c = await conversationOf(2);
    h.clock.set(at(6, 9, 50));
    await h.actions.assign(c.id, 'ann', 'lead');
    h.clock.set(at(6, 10, 0));
    await h.actions.reply(c.id, { agent: 'ann', text: 'Hi, how can I help?' });
    h.clock.set(at(6, 10, 5));
    await h.send(visitor(2, 'my order is late'));
    h.clock.set(at(6, 10, 20));
    await h.actions.reply(c.id, { agent: 'ann', text: 'Sorry, it ships today.' });

    const { total: k } = await measure(h.store, range(at(6, 12)), calendar);
    expect(k.volume.conversations).toBe(1);
    // the bot's fallback answered at once
    expect(k.firstResponse.bot).toMatchObject({ count: 1, wall: { avgMs: 0 } });
    // Mon 16:30 → Tue 10:00: 17.5 h on the wall, 1.5 h of opening hours (16:30–17:00, 09:00–10:00)
    expect(k.firstResponse.agent).toMatchObject({
      count: 1,
      wall: { avgMs: 17.5 * HOUR },
      business: { avgMs: 1.5 * HOUR },
    });
    expect(k.nextResponse).toMatchObject({ count: 1, wall: { avgMs: 15 * MINUTE }, business: { avgMs: 15 * MINUTE } });
    // due Tue 09:30 (1 h of opening hours), answered 10:00: breached; the next response was in time
    expect(k.slaAttainment).toEqual({ of: 2, hits: 1, rate: 0.5 });
    expect(k.deflection).toEqual({ of: 1, hits: 0, rate: 0 });
    expect(k.backlog.open).toBe(1);
    // answered and waiting on the customer: not beyond its SLA now
    expect(k.backlog.beyondSla).toEqual({ of: 1, hits: 0, rate: 0 });
    expect(k.backlog.age.wall.avgMs).toBe(19.5 * HOUR);
    expect(k.backlog.age.business.avgMs).toBe(3.5 * HOUR);
  });

  it('resolution, handle time, first contact resolution against a reopen and an escalation, reopen rate', async () => {
    h = await createHarness({ at: at(6, 10), config: { sla } });
    // v3: resolved at first contact
    await h.send(visitor(3, 'hello'));
    const c3 = await conversationOf(3);
    await h.actions.assign(c3.id, 'ann', 'lead');
    h.clock.set(at(6, 10, 10));
    await h.actions.reply(c3.id, { agent: 'ann', text: 'Done for you.' });
    h.clock.set(at(6, 10, 15));
    await h.actions.resolve(c3.id, 'ann');
    // v4: resolved, then reopened by the customer the next day
    h.clock.set(at(6, 11));
    await h.send(visitor(4, 'hello'));
    const c4 = await conversationOf(4);
    await h.actions.assign(c4.id, 'bob', 'lead');
    h.clock.set(at(6, 11, 20));
    await h.actions.reply(c4.id, { agent: 'bob', text: 'Refund sent.' });
    h.clock.set(at(6, 11, 30));
    await h.actions.resolve(c4.id, 'bob');
    // v5: escalated before it was resolved
    h.clock.set(at(6, 12));
    await h.send(visitor(5, 'hello'));
    const c5 = await conversationOf(5);
    h.clock.set(at(6, 12, 5));
    await h.actions.escalate(c5.id, 'ann');
    await h.actions.assign(c5.id, 'ann', 'lead');
    h.clock.set(at(6, 12, 30));
    await h.actions.reply(c5.id, { agent: 'ann', text: 'Sorted.' });
    h.clock.set(at(6, 12, 40));
    await h.actions.resolve(c5.id, 'ann');

    h.clock.set(at(7, 9));
    await h.send(visitor(4, 'the refund never came'));
    h.clock.set(at(7, 9, 10));
    await h.actions.reply(c4.id, { agent: 'bob', text: 'Sent again.' });
    h.clock.set(at(7, 9, 30));
    await h.actions.resolve(c4.id, 'bob');
    const { total: k, groups } = await measure(h.store, { ...range(at(7, 12)), by: 'agent' }, calendar);
    expect(k.volume.conversations).toBe(3);
    expect(k.fcr).toEqual({ of: 3, hits: 1, rate: 1 / 3 });
    expect(k.reopenRate).toEqual({ of: 4, hits: 1, rate: 0.25 });
    // handle per resolution: 10 m, 20 m, then 10 m after the reopen, 25 m
    expect(k.handleTime).toEqual({ conversations: 4, avgMs: 16.25 * MINUTE });
    // Tue 11:00 → Wed 09:30 (the second resolution) is 22.5 h on the wall and 6.5 h open
    const resolutionWall = [15, 30, 22.5 * 60, 40].map((m) => m * MINUTE);
    expect(k.resolution.count).toBe(4);
    expect(k.resolution.wall.avgMs).toBe(resolutionWall.reduce((a, b) => a + b) / 4);
    expect(k.resolution.business.avgMs).toBe([15, 30, 6.5 * 60, 40].map((m) => m * MINUTE).reduce((a, b) => a + b) / 4);
    expect(k.backlog.open).toBe(0);
    const ann = groups.find((g) => g.key === 'ann')?.kpis;
    const bob = groups.find((g) => g.key === 'bob')?.kpis;
    expect(ann?.fcr).toEqual({ of: 2, hits: 1, rate: 0.5 });
    expect(bob?.fcr).toEqual({ of: 1, hits: 0, rate: 0 });
    expect(bob?.handleTime.avgMs).toBe(15 * MINUTE);
  });

  it('a reopen after seven days does not cost the first contact resolution', async () => {
    h = await createHarness({ at: at(6, 10), config: { sla } });
    await h.send(visitor(6, 'hello'));
    const c = await conversationOf(6);
    await h.actions.reply(c.id, { agent: 'ann', text: 'Done.' });
    await h.actions.resolve(c.id, 'ann');
    h.clock.set(at(13, 10, 1));
    await h.send(visitor(6, 'another question'));
    const { total: k } = await measure(h.store, range(at(13, 12)), calendar);
    expect(k.fcr).toEqual({ of: 1, hits: 1, rate: 1 });
    expect(k.reopenRate).toEqual({ of: 1, hits: 1, rate: 1 });
  });

  it('counts the bot answering with no person needed as deflection, and a breach of an open conversation', async () => {
    h = await createHarness({ at: at(6, 10), config: { sla } });
    await h.send(visitor(1, 'how much is a loaf?'));
    h.clock.set(at(6, 10, 30));
    await h.send(visitor(7, 'hello'));
    // no person answers: the SLA clocks (met by an agent's reply only) fall due at 11:00 and 11:30
    const { total: before } = await measure(h.store, range(at(6, 10, 59)), calendar);
    expect(before.deflection).toEqual({ of: 2, hits: 2, rate: 1 });
    expect(before.backlog.beyondSla).toEqual({ of: 2, hits: 0, rate: 0 });
    const { total: between } = await measure(h.store, range(at(6, 11, 1)), calendar);
    expect(between.backlog.beyondSla).toEqual({ of: 2, hits: 1, rate: 0.5 });
    const { total: after } = await measure(h.store, range(at(6, 11, 31)), calendar);
    expect(after.backlog.beyondSla).toEqual({ of: 2, hits: 2, rate: 1 });
    const c7 = await conversationOf(7);
    await h.actions.assign(c7.id, 'ann', 'lead');
    const { total: assigned } = await measure(h.store, range(at(6, 11, 31)), calendar);
    expect(assigned.deflection).toEqual({ of: 2, hits: 1, rate: 0.5 });
  });

  it('puts every KPI beside its target, the SOP defaults unless targets.yaml says otherwise', async () => {
    h = await createHarness({ at: at(6, 10), config: { sla } });
    await h.send(visitor(1, 'how much is a loaf?'));
    const { total } = await measure(h.store, range(at(6, 11)), calendar);
    const slaSettings = policyFiles['sla.yaml'].parse(policyConfig().sla);
    const scored = againstTargets(total, policyFiles['targets.yaml'].parse({}), slaSettings, 'webchat');
    expect(Object.fromEntries(scored.map((s) => [s.id, [s.target, s.met]]))).toEqual({
      csat: [0.95, null],
      fcr: [0.85, null],
      aht: [15 * MINUTE, null],
      backlog_beyond_sla: [0.05, true],
      sla_attainment: [0.95, null],
      reopen_rate: [0.05, null],
      deflection: [0.3, true],
      first_response: [HOUR, null],
    });
    const own = againstTargets(
      total,
      policyFiles['targets.yaml'].parse({ csat: 0.9, firstResponse: { webchat: '5m' } }),
      slaSettings,
      'webchat',
    );
    expect(own.find((s) => s.id === 'first_response')?.target).toBe(5 * MINUTE);
    expect(own.find((s) => s.id === 'csat')?.target).toBe(0.9);
  });

  it('keeps each CSAT answer a decision raises, with its flow, channel and agent, after the flow is gone', async () => {
    h = await createHarness({ at: at(6, 10), config: { sla } });
    await h.send(visitor(8, 'hello'));
    const c = await conversationOf(8);
    await h.actions.assign(c.id, 'ann', 'lead');
    const answer = async (score: number) =>
      h.store.transaction(async (tx) => {
        const loaded = await loadForDecision(tx, c.id);
        if (!loaded) throw new Error('gone');
        const ctx = newDecision(testSettings(), h.clock.now(), loaded.conversation, loaded.contact);
        ctx.events.push({ type: 'csat', data: { score, flow: 'csat' } });
        await writeDecision(tx, ctx, { outbound: {} as Outbound });
      });
    await answer(5);
    await answer(2);
    await answer(4);
    const { total, groups } = await measure(h.store, { ...range(at(6, 11)), by: 'agent' }, calendar);
    expect(total.csat).toEqual({ of: 3, hits: 2, rate: 2 / 3, avgScore: 11 / 3 });
    expect(groups.find((g) => g.key === 'ann')?.kpis.csat.of).toBe(3);
    const [fact] = await h.store.factsBetween(['csat'], 0, at(7, 0));
    expect(fact).toMatchObject({ score: 5, flow: 'csat', agent: 'ann', channel: 'webchat', touchpoint: 'webchat' });
  });
});
