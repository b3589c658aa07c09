import { afterEach, describe, expect, it } from 'vitest';
import { QA_SAMPLE, sampleByAgent, scheduleQaRound } from '../../src/policies/qa-reviews.ts';
import { qaByAgent, scoreReview } from '../../src/policies/qa-scores.ts';
import { scheduleWeeklyReport, WEEKLY_REPORT } from '../../src/policies/weekly-report.ts';
import { createHarness, type Harness, MINUTE, TUE_1000 } from './support/harness.ts';

/** Weekly QA samples and the weekly report, on the virtual clock, posted through the outbox. */
let h: Harness;
let opened = false;
afterEach(async () => {
  if (opened) await h.close();
  opened = false;
});
async function open(): Promise<void> {
  h = await createHarness({ at: TUE_1000, config });
  opened = true;
}

/** Jumps the clock to `at` and fires what fell due. */
async function jump(at: number): Promise<void> {
  h.clock.set(at);
  await h.timers.drain();
  await h.outbox.drain();
}

const HOUR = 60 * MINUTE;
/** Monday 12 January 2026, 09:00 in London (UTC in winter): the next sampling round after TUE_1000. */
const NEXT_MON_0900 = Date.UTC(2026, 0, 12, 9, 0);
const RUBRIC = ['greeting', 'identity check', 'accuracy', 'tone', 'SOP followed', 'resolution'];
const admin = { agentId: 'owner', name: 'Olive', role: 'admin' as const, via: 'api' };
const config = {
  reviews: {
    qa: { perAgent: 2, post: { channel: 'social', to: 'qa-board' } },
    weeklyReport: { post: { channel: 'social', to: 'ops-board' }, day: 'monday', at: '08:00' },
  },
};

/** A conversation that `agent` took and resolved. */
async function resolvedBy(agent: string, visitor: string): Promise<void> {
  await h.send({
    text: 'hello',
    threadKey: `webchat:${visitor}`,
    from: { kind: 'webchat', value: visitor, name: visitor },
  });
  const c = (await h.conversations()).find((x) => x.threadKey === `webchat:${visitor}`);
  if (!c) throw new Error('no conversation');
  await h.actions.assign(c.id, agent, agent);
  await h.actions.reply(c.id, { text: 'Sorted, thanks!', agent });
  await h.actions.resolve(c.id, agent);
}

const posts = (to: string) =>
  (h.adapters.get('social')?.sent ?? []).filter((m) => m.threadKey === `social:dm:${to}`).map((m) => m.text);

describe('weekly QA reviews', () => {
  it('samples N resolved conversations per agent on the weekly timer, posts them, and reports scores per agent', async () => {
    await open();
    for (const v of ['a1', 'a2', 'a3']) await resolvedBy('ann', v);
    await resolvedBy('bob', 'b1');
    await h.store.transaction((tx) => scheduleQaRound(tx, h.policies.kit, h.clock.now()));

    await jump(NEXT_MON_0900 - MINUTE);
    expect(await h.store.listQaReviews({ from: 0, to: NEXT_MON_0900 + 1 })).toEqual([]);
    await jump(NEXT_MON_0900 + HOUR);
    const reviews = await h.store.listQaReviews({ from: 0, to: h.clock.now() + 1 });
    expect(reviews.map((r) => r.agent).sort()).toEqual(['ann', 'ann', 'bob']);
    expect(new Set(reviews.map((r) => r.conversationId)).size).toBe(3);
    const sent = posts('qa-board');
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatch(
      /^QA review \S+: a conversation (ann|bob) resolved \(\w+ on webchat, conversation \S+\)\. Score it/,
    );

    // the round sets the next one, a week later
    const next = await h.store.claimTimers({
      owner: 'probe',
      now: NEXT_MON_0900 + 8 * 86_400_000,
      leaseMs: 1,
      limit: 20,
    });
    expect(next.filter((t) => t.kind === QA_SAMPLE).map((t) => t.dueAt)).toEqual([NEXT_MON_0900 + 7 * 86_400_000]);

    const [first] = reviews;
    const scores = Object.fromEntries(RUBRIC.map((item, i) => [item, i < 3 ? 5 : 3]));
    await h.store.transaction((tx) =>
      scoreReview(tx, first?.id ?? '', { scores, comment: 'good' }, RUBRIC, admin, h.clock.now()),
    );
    await expect(
      h.store.transaction((tx) =>
        scoreReview(tx, first?.id ?? '', { scores: { tone: 4 } }, RUBRIC, admin, h.clock.now()),
      ),
    ).rejects.toThrow(/missing "greeting"/);
    const summary = qaByAgent(await h.store.listQaReviews({ from: 0, to: h.clock.now() + 1 }), RUBRIC);
    const scoredAgent = summary.find((a) => a.scored === 1);
    expect(scoredAgent).toMatchObject({ average: 4, byItem: { greeting: 5, tone: 3 } });
    expect(summary.map((a) => [a.agent, a.sampled])).toEqual([
      ['ann', 2],
      ['bob', 1],
    ]);
  });

  it('samples at most N per agent, each conversation once', () => {
    const rows = ['c1', 'c2', 'c3', 'c4'].map((id) => ({ agent: 'ann', conversationId: id }));
    const picked = sampleByAgent([...rows, { agent: 'bob', conversationId: 'c9' }], 3);
    expect(picked.filter((p) => p.agent === 'ann')).toHaveLength(3);
    expect(new Set(picked.map((p) => p.conversationId)).size).toBe(4);
  });

  it('posts the weekly report with the KPIs against their targets, and sets the next one', async () => {
    await open();
    await resolvedBy('ann', 'a1');
    await h.store.transaction((tx) => scheduleWeeklyReport(tx, h.policies.kit, h.clock.now()));
    await jump(NEXT_MON_0900);
    const [report, ...more] = posts('ops-board');
    expect(more).toEqual([]);
    expect(report).toMatch(/^Weekly report for Test Shop, 2026-01-05 to 2026-01-12: 1 conversations\.\n• CSAT/);
    expect(report).toContain('• First contact resolution: ');
    const next = await h.store.claimTimers({
      owner: 'probe',
      now: NEXT_MON_0900 + 8 * 86_400_000,
      leaseMs: 1,
      limit: 20,
    });
    expect(next.filter((t) => t.kind === WEEKLY_REPORT).map((t) => t.dueAt)).toEqual([
      NEXT_MON_0900 - HOUR + 7 * 86_400_000,
    ]);
  });
});
