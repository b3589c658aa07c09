import { afterEach, describe, expect, it } from 'vitest';
import { engineOf } from '../../src/flow-language/engine-of.ts';
import { measure } from '../../src/metrics/kpis.ts';
import { TranscriptHarness } from '../../src/testkit/transcript-harness.ts';
import { transcriptFile } from '../../src/testkit/transcript-schema.ts';
import { exampleSettings } from './example.ts';

const settings = exampleSettings();
/** A Tuesday, 11:00 in London: the bakery is open, so no after-hours reply stands in. */
const START = '2026-03-10T11:00:00Z';

let h: TranscriptHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function open(): Promise<TranscriptHarness> {
  h = await TranscriptHarness.open(
    settings,
    transcriptFile.parse({ name: 'knowledge', start: START, script: [{ customer: 'driven by the test' }] }),
  );
  return h;
}

async function replies(harness: TranscriptHarness): Promise<string[]> {
  return (await harness.sent())
    .filter((s) => s.message.visibility !== 'internal' && s.message.direction === 'outbound')
    .map((s) => s.message.text);
}

async function kpis(harness: TranscriptHarness) {
  const now = harness.clock.now();
  const { total } = await measure(
    harness.store,
    { from: now - 86_400_000, to: now + 1, now },
    engineOf(settings).calendar,
  );
  return total;
}

describe('the knowledge step in opening hours (the example fallback flow)', () => {
  it('answers with the right article, and a yes is self-service the deflection KPI counts', async () => {
    const t = await open();
    expect(engineOf(settings).calendar.isOpen(t.clock.now(), 'webchat')).toBe(true);
    await t.say('can I bring my dog inside?');
    const [answer, question] = await replies(t);
    expect(answer).toMatch(/^Well-behaved dogs are welcome inside on a lead/);
    expect(question).toMatch(/^Did this answer your question\?\n\n1\. Yes\n2\. No$/);
    await t.say('yes');
    expect((await replies(t)).at(-1)).toMatch(/^Glad that helped!/);
    const k = await kpis(t);
    expect(k.selfService).toEqual({ of: 1, hits: 1, rate: 1 });
    expect(k.deflection).toEqual({ of: 1, hits: 1, rate: 1 });
    expect((await t.conversation())?.tags).not.toContain('handoff');
  });

  it('hands a no to a person: on the desk, counted as not helped and not deflected', async () => {
    const t = await open();
    await t.say('can I bring my dog inside?');
    await t.say('no');
    const conversation = await t.conversation();
    expect(conversation?.status).toBe('open');
    expect(conversation?.tags).toContain('handoff');
    expect(conversation?.flowState?.handoff).toMatchObject({
      reason: 'the knowledge base did not answer the question',
    });
    const k = await kpis(t);
    expect(k.selfService).toEqual({ of: 1, hits: 0, rate: 0 });
    expect(k.deflection).toEqual({ of: 1, hits: 0, rate: 0 });
  });

  it('offers several answers as choices and gives the one picked by its number', async () => {
    const t = await open();
    await t.say('is there parking, and do you deliver');
    const sent = await t.sent();
    const offer = sent.at(-1)?.message;
    expect(offer?.text).toBe(
      'Here is what I found. Which one answers your question?\n\n1. Local delivery\n2. Parking and access',
    );
    expect(offer?.parts).toEqual([
      expect.objectContaining({
        type: 'choices',
        options: [
          { value: 'delivery', label: 'Local delivery' },
          { value: 'parking-access', label: 'Parking and access' },
        ],
      }),
    ]);
    await t.say('2');
    const [, answer, question] = await replies(t);
    expect(answer).toMatch(/^The shop has a step-free entrance/);
    expect(question).toMatch(/^Did this answer your question\?/);
  });

  it('says the fallback reply when nothing in the knowledge base matches, and records nothing', async () => {
    const t = await open();
    await t.say('xyzzy plugh');
    expect(await replies(t)).toEqual([expect.stringMatching(/^Sorry, I didn't catch that/)]);
    expect((await kpis(t)).selfService).toEqual({ of: 0, hits: 0, rate: null });
  });
});
