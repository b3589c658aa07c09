import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, MINUTE, socialComment, TUE_1000 } from './support/harness.ts';

/** A burst of public complaints, on the virtual clock: one alert, not one per complaint. */
let h: Harness;
afterEach(async () => {
  await h.close();
});

const WEEK = 7 * 86_400_000;
const config = { sla: {}, trends: { spike: { multiple: 3, minimum: 4, quiet: '2h', examples: 2 } } };
let seq = 0;
const complaint = (text: string) =>
  socialComment(text, {
    threadKey: `social:post-1:c${++seq}`,
    from: { kind: 'social', value: `u${seq}`, name: 'Ada' },
  });

/** The alerts written since `since`. */
async function alerts(since = TUE_1000 - 60 * MINUTE): Promise<string[]> {
  const notes: string[] = [];
  for (const c of await h.conversations())
    for (const m of await h.messages(c.id, true))
      if (m.visibility === 'internal' && m.text.startsWith('Complaint spike') && m.createdAt >= since)
        notes.push(m.text);
  return notes;
}
async function pagesToMaya(): Promise<string[]> {
  const maya = await h.staffConversation('sms', '+447700900101');
  return maya ? (await h.messages(maya.id)).map((m) => m.text) : [];
}

/** `n` complaints a minute apart on the public post, starting an hour before `end`. */
async function burst(n: number, end: number, words = 'The bread was stale, I want a refund'): Promise<void> {
  h.clock.set(end - 60 * MINUTE);
  for (let i = 0; i < n; i++) {
    await h.send(complaint(`${words} (${i})`));
    h.clock.set(h.clock.now() + MINUTE);
  }
}

describe('complaint spikes on public touchpoints', () => {
  it('raises one alert for a burst: a desk note quoting the latest complaints and one page to the on-call chain', async () => {
    h = await createHarness({ at: TUE_1000 - WEEK - 2 * 60 * MINUTE, config });
    await burst(1, TUE_1000 - WEEK - 30 * MINUTE); // the baseline: one complaint at this hour a week ago
    await burst(6, TUE_1000);
    await burst(5, TUE_1000 + 40 * MINUTE); // more within the quiet period

    const found = await alerts();
    expect(found).toHaveLength(1);
    // the fourth complaint is above 3 × 1/4 and at the minimum: the alert; the next ones add nothing
    expect(found[0]).toContain(
      'Complaint spike: 4 complaints on public touchpoints in the last hour, against 0.25 an hour',
    );
    expect(found[0]).toMatch(/- social: "The bread was stale, I want a refund \(\d\)"\n- social: "/);
    const pages = (await pagesToMaya()).filter((t) => t.includes('complaint spike'));
    expect(pages).toHaveLength(1);
  });

  it('stays quiet when the hour is within the multiple of its 4-week baseline', async () => {
    h = await createHarness({ at: TUE_1000 - 2 * WEEK - 2 * 60 * MINUTE, config });
    await burst(4, TUE_1000 - 2 * WEEK - 30 * MINUTE);
    await burst(4, TUE_1000 - WEEK - 30 * MINUTE);
    await burst(6, TUE_1000); // baseline (4 + 4) / 4 = 2 an hour; 6 is not above 3 × 2
    expect(await alerts()).toEqual([]);
  });

  it('counts neither private complaints nor a burst below the minimum', async () => {
    h = await createHarness({ at: TUE_1000 - 2 * 60 * MINUTE, config });
    for (let i = 0; i < 6; i++) await h.send({ text: `stale bread, refund please ${i}`, threadKey: `webchat:v${i}` });
    await burst(3, TUE_1000);
    expect(await alerts()).toEqual([]);
  });
});
