import { afterEach, describe, expect, it } from 'vitest';
import { feedbackCsv, feedbackExport } from '../../src/metrics/feedback.ts';
import { policyFiles } from '../../src/settings/policy-schema.ts';
import { createHarness, type Harness, MINUTE, TUE_1000 } from '../policies/support/harness.ts';

/** Feature requests and bug reports, by intent or tag, exported for the product team. */
let h: Harness;
afterEach(async () => {
  await h.close();
});

const trends = policyFiles['trends.yaml'].parse({
  feedback: {
    feature_request: { intents: ['pricing'], tags: ['feature-request'] },
    bug_report: { tags: ['bug_report'] },
  },
});

describe('product feedback export', () => {
  it('lists the conversations marked by intent or tag, under each kind, and writes them as CSV a spreadsheet cannot run', async () => {
    h = await createHarness({ at: TUE_1000, config: { sla: {} } });
    await h.send({
      text: 'How much is a loaf? Could you sell halves',
      threadKey: 'webchat:a',
      from: { kind: 'webchat', value: 'a', name: 'Ann "A" Lee' },
    });
    h.clock.set(TUE_1000 + 1000);
    await h.send({
      text: '=HYPERLINK("x") the app crashes',
      threadKey: 'webchat:b',
      from: { kind: 'webchat', value: 'b', name: 'Bo' },
    });
    await h.send({ text: 'hello', threadKey: 'webchat:c', from: { kind: 'webchat', value: 'c', name: 'Cy' } });
    await h.send({ text: 'hello again', threadKey: 'webchat:d', from: { kind: 'webchat', value: 'd', name: 'Di' } });
    const byThread = new Map((await h.conversations()).map((c) => [c.threadKey, c]));
    const tag = (thread: string, tags: string[]) =>
      h.store.transaction((tx) => tx.updateConversation(byThread.get(thread)?.id ?? '', { tags }, h.clock.now()));
    await tag('webchat:b', ['bug_report']);
    await tag('webchat:d', ['bugXreport']); // matches the SQL pattern of `bug_report`, but is another tag

    const items = await feedbackExport(h.store, trends, TUE_1000 - MINUTE, TUE_1000 + MINUTE);
    expect(items.map((i) => [i.kind, i.contact, i.text])).toEqual([
      ['feature_request', 'Ann "A" Lee', 'How much is a loaf? Could you sell halves'],
      ['bug_report', 'Bo', '=HYPERLINK("x") the app crashes'],
    ]);
    const csv = feedbackCsv(items).split('\r\n');
    expect(csv[0]).toBe('kind,created_at,conversation_id,channel,touchpoint,contact,intent,category,tags,text');
    expect(csv[1]).toContain('"Ann ""A"" Lee","pricing"');
    expect(csv[2]).toMatch(/"bug_report","'=HYPERLINK\(""x""\) the app crashes"$/);
    expect(await feedbackExport(h.store, trends, TUE_1000 + MINUTE, TUE_1000 + 2 * MINUTE)).toEqual([]);
  });
});
