import { afterEach, describe, expect, it } from 'vitest';
import { crisisStatus, switchCrisis } from '../../src/policies/crisis-switch.ts';
import { createHarness, type Harness, MINUTE, socialComment, TUE_1000 } from './support/harness.ts';

/** Crisis mode on the virtual clock: paused follow-ups, holding and public statements, pages and the banner. */
let h: Harness;
afterEach(async () => {
  await h.close();
});

const HOUR = 60 * MINUTE;
const admin = { agentId: 'owner', name: 'Olive', role: 'admin' as const, via: 'api' };
const config = {
  crisis: { chain: ['sam', 'oncall'], desk: { channel: 'social', to: 'desk-board' } },
};

async function crisis(on: boolean, reason = 'oven fire'): Promise<void> {
  await h.store.transaction((tx) => switchCrisis(tx, { on, actor: admin, reason }, h.clock.now()));
  await h.timers.drain();
}

/** Customer-visible texts of the conversation on a thread, oldest first. */
async function texts(threadKey: string): Promise<string[]> {
  const c = (await h.conversations()).find((x) => x.threadKey === threadKey);
  return c ? (await h.messages(c.id)).filter((m) => m.direction === 'outbound').map((m) => m.text) : [];
}

const parcel = (visitor: string) => ({
  text: 'where is my parcel?',
  threadKey: `webchat:${visitor}`,
  from: { kind: 'webchat', value: visitor, name: visitor },
});

describe('crisis mode', () => {
  it('pauses follow-ups due during the crisis; they fire after it ends, in order, not during', async () => {
    h = await createHarness({ at: TUE_1000, config });
    await h.send(parcel('v1'));
    h.clock.set(TUE_1000 + 30 * MINUTE);
    await h.send(parcel('v2'));
    expect(await texts('webchat:v1')).toEqual(['Your parcel is on its way.']);

    h.clock.set(TUE_1000 + 45 * MINUTE);
    await crisis(true);
    await h.advance(3 * HOUR); // both follow-ups fell due (at +1h and +1h30) during the crisis
    expect(await texts('webchat:v1')).toEqual(['Your parcel is on its way.']);
    expect(await texts('webchat:v2')).toEqual(['Your parcel is on its way.']);

    await crisis(false);
    expect(await texts('webchat:v1')).toEqual(['Your parcel is on its way.', 'Did your parcel arrive, v1?']);
    expect(await texts('webchat:v2')).toEqual(['Your parcel is on its way.', 'Did your parcel arrive, v2?']);
    const [first, second] = await Promise.all(
      ['webchat:v1', 'webchat:v2'].map(async (key) => {
        const c = (await h.conversations()).find((x) => x.threadKey === key);
        const all = await h.messages(c?.id ?? '');
        return all.at(-1)?.id ?? '';
      }),
    );
    expect((first ?? '') < (second ?? '')).toBe(true); // the one due first fired first
  });

  it('answers each conversation once with the holding statement, in its language, and runs no flow', async () => {
    h = await createHarness({ at: TUE_1000, config });
    await h.send({ ...parcel('v3'), text: 'hallo' });
    const v3 = (await h.conversations()).find((c) => c.threadKey === 'webchat:v3');
    await h.store.transaction((tx) => tx.updateContact(v3?.contactId ?? '', { language: 'de' }));

    await crisis(true);
    await h.send(parcel('v1'));
    await h.send({ ...parcel('v1'), text: 'hello? my parcel!' });
    expect(await texts('webchat:v1')).toEqual(['We are dealing with an urgent situation and will reply soon.']);
    await h.send({ ...parcel('v3'), text: 'hallo? wo ist mein parcel?' });
    expect((await texts('webchat:v3')).slice(1)).toEqual([
      'Wir kümmern uns um eine dringende Lage und antworten bald.',
    ]);

    // After the crisis the flows answer again.
    await crisis(false);
    await h.send({ ...parcel('v1'), text: 'parcel again' });
    expect((await texts('webchat:v1')).at(-1)).toBe('Your parcel is on its way.');
  });

  it('gives a public touchpoint the public statement, not the holding one, and keeps it in public', async () => {
    h = await createHarness({ at: TUE_1000, config });
    await crisis(true);
    await h.send(socialComment('Is the shop on fire??'));
    await h.send(socialComment('hello??'));
    const out = await texts('social:post-1:comment-1');
    expect(out).toEqual([
      "We're aware of the situation and are working on it. We'll post updates here. Thank you for your patience.",
    ]);
    // no move to a private conversation while the crisis holds
    const moved = (await h.conversations()).filter(
      (c) => c.touchpoint.kind === 'social.dm' && !c.tags.includes('staff'),
    );
    expect(moved).toEqual([]);
  });

  it('pages the chain of command and posts the banner when switched on and off; a second switch-on does nothing', async () => {
    h = await createHarness({ at: TUE_1000, config });
    await crisis(true);
    await crisis(true);
    await h.outbox.drain();
    const sam = await h.staffConversation('email', 'sam@shop.example');
    const maya = await h.staffConversation('sms', '+447700900101');
    const samPages = (await h.messages(sam?.id ?? '')).map((m) => m.text);
    expect(samPages).toEqual([
      'CRISIS at Test Shop: crisis mode was switched ON by Olive: oven fire. Automated flows and follow-ups are paused; every customer gets the holding statement.',
    ]);
    expect((await h.messages(maya?.id ?? '')).map((m) => m.text)).toHaveLength(1);
    const board = h.adapters.get('social')?.sent.filter((m) => m.threadKey === 'social:dm:desk-board') ?? [];
    expect(board.map((m) => m.text)).toEqual([
      ':rotating_light: Crisis mode is ON (switched by Olive: oven fire). Automated flows and follow-ups are paused; every customer gets the holding statement.',
    ]);

    await crisis(false, '');
    await h.outbox.drain();
    expect((await h.messages(sam?.id ?? '')).map((m) => m.text).at(-1)).toBe(
      'CRISIS at Test Shop: crisis mode was switched OFF by Olive. Automated flows and follow-ups resume, in order.',
    );
    const status = await h.store.transaction((tx) => crisisStatus(tx));
    expect(status.on).toBe(false);
    expect(status.recent).toHaveLength(1);
    const audit = await h.store.listAudit({ limit: 10 });
    expect(audit.map((a) => a.action).sort()).toEqual(['crisis.off', 'crisis.on']);
  });
});
