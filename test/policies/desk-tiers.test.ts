import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, TUE_1000 } from './support/harness.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const tiers = [
  { name: 'L1' },
  { name: 'L2', team: 'senior', when: { sentimentAtOrBelow: -3, categories: ['billing'] } },
  { name: 'L3', team: 'management', when: { sentimentAtOrBelow: -7 } },
];

async function only() {
  const [c] = (await h.conversations()).filter((x) => !x.tags.includes('staff'));
  if (!c) throw new Error('no conversation');
  return c;
}
const notes = async (id: string) =>
  (await h.messages(id, true)).filter((m) => m.visibility === 'internal').map((m) => m.text);

describe('tiers (desk.yaml): escalation by criteria, de-escalation by an agent', () => {
  it('moves a handed-off conversation up when the customer turns negative, with the context, and back down', async () => {
    h = await createHarness({ at: TUE_1000, config: { desk: { tiers } } });
    await h.send({ text: 'I need a person about my order' });
    let c = await only();
    expect(c.flowState?.handoff).toBeTruthy();
    expect(c.flowState?.tier).toBeUndefined();

    await h.send({ text: 'this is awful, truly terrible' });
    c = await only();
    expect(c.flowState?.tier).toBe('L2');
    expect(c.flowState?.handoff).toMatchObject({ team: 'senior' });
    expect(c.tags).toContain('escalated');
    expect(await notes(c.id)).toContain(
      'Escalated to L2 (team senior): sentiment -6 ≤ -3. Context: category orders, priority normal, from L1; the customer wrote: "this is awful, truly terrible"',
    );

    // the rules' move is in the audit log, by the tier rules, with the reasons (no customer text)
    expect(await h.store.listAudit({ conversationId: c.id, action: 'escalate.tier' })).toMatchObject([
      { actorId: 'tiers', actorRole: 'system', detail: { from: 'L1', to: 'L2', reasons: ['sentiment -6 ≤ -3'] } },
    ]);

    // not lower again by a calmer message; straight to L3 past its threshold
    await h.send({ text: 'thanks' });
    expect((await only()).flowState?.tier).toBe('L2');
    await h.send({ text: 'awful awful terrible, disgusting' });
    expect((await only()).flowState?.tier).toBe('L3');

    const down = await h.policies.actions.deescalate(c.id, 'maya');
    expect(down.flowState?.tier).toBe('L2');
    expect(down.flowState?.handoff).toMatchObject({ team: 'senior' });
    const audit = await h.store.listAudit({ conversationId: c.id, action: 'deescalate' });
    expect(audit).toMatchObject([{ actorId: 'maya', detail: { from: 'L3', to: 'L2' } }]);
    await h.policies.actions.deescalate(c.id, 'maya');
    expect((await only()).tags).not.toContain('escalated');
    await expect(h.policies.actions.deescalate(c.id, 'maya')).rejects.toThrow(/not above the first tier/);
  });

  it('leaves conversations nobody handed to a person alone', async () => {
    h = await createHarness({ at: TUE_1000, config: { desk: { tiers } } });
    await h.send({ text: 'this is awful, truly terrible' });
    expect((await only()).flowState?.tier).toBeUndefined();
  });
});
