import { afterEach, describe, expect, it } from 'vitest';
import { readArticle } from '../../src/settings/knowledge-articles.ts';
import { createHarness, type Harness, MINUTE, MON_2300, policyConfig, TUE_1000 } from './support/harness.ts';

// SLA clocks have their own tests: here they would add their notes and escalations to the page's
const noSla = { sla: {} };
let h: Harness;
afterEach(async () => {
  await h.close();
});

async function only() {
  const [conversation, ...rest] = (await h.conversations()).filter((c) => !c.tags.includes('staff'));
  expect(rest).toHaveLength(0);
  if (!conversation) throw new Error('no conversation');
  return conversation;
}

const texts = async (id: string) => (await h.messages(id)).filter((m) => m.direction === 'outbound').map((m) => m.text);

describe('after-hours triage', () => {
  it('acknowledges a message at 23:00 once, naming the real next opening, and not again that night', async () => {
    h = await createHarness({ at: MON_2300, config: noSla });
    await h.send({ providerId: 'a', text: 'hello, is anyone there?' });
    const conv = await only();
    expect(await texts(conv.id)).toEqual(["Thanks Ada, we're closed and will reply tomorrow at 9:00."]);

    h.clock.advance(90 * MINUTE);
    await h.send({ providerId: 'b', text: 'still waiting' });
    expect(await texts(conv.id)).toHaveLength(1);

    const after = await only();
    expect(after.status).toBe('snoozed');
    expect(after.tags).toContain('after-hours');
  });

  it('names the opening in the customer’s timezone and adds matching knowledge-base answers', async () => {
    h = await createHarness({ at: MON_2300, config: noSla });
    await h.send({ providerId: 'a', text: 'hi' });
    const conv = await only();
    await h.store.transaction((tx) => tx.updateContact(conv.contactId, { timezone: 'America/New_York' }));
    // the next closed period: Tuesday 17:00 London is 12:00 in New York
    h.clock.set(Date.UTC(2026, 0, 6, 18, 0));
    await h.send({ providerId: 'b', text: 'how much is a loaf?' });
    expect((await texts(conv.id)).slice(1)).toEqual([
      "Thanks Ada, we're closed and will reply tomorrow at 4:00.",
      'At Test Shop a loaf is £4.',
    ]);
  });

  it('answers with the flows while open, and puts a queued conversation back at the opening', async () => {
    h = await createHarness({ at: MON_2300, config: noSla });
    await h.send({ providerId: 'a', text: 'hello' });
    expect((await only()).status).toBe('snoozed');
    await h.advance(TUE_1000 - MON_2300);
    expect((await only()).status).toBe('open');
    await h.send({ providerId: 'b', text: 'how much?' });
    expect((await texts((await only()).id)).at(-1)).toBe('A loaf is £4.');
  });

  it('pages on-call for an urgent message, escalates along the chain, and stops when the person replies', async () => {
    h = await createHarness({ at: MON_2300, config: noSla });
    await h.send({ providerId: 'a', text: 'URGENT: my son has food poisoning from your cake' });
    const conv = await only();
    expect(conv.priority).toBe('urgent');
    expect(conv.status).toBe('open');
    expect(await texts(conv.id)).toEqual(["We're closed, but we've alerted the person on call."]);

    const maya = await h.staffConversation('sms', '+447700900101');
    expect(maya).not.toBeNull();
    const page = (await h.messages(maya?.id ?? ''))[0];
    expect(page?.text).toContain('food poisoning');
    expect(page?.status).toBe('queued');
    await h.outbox.drain();
    expect(h.adapters.get('sms')?.sent.map((m) => m.destination)).toEqual(['to:sms:dm:+447700900101']);

    // nobody answers for 15 minutes: the next in the rotation is paged
    await h.advance(14 * MINUTE);
    expect(await h.staffConversation('sms', '+447700900102')).toBeNull();
    await h.advance(MINUTE);
    const tom = await h.staffConversation('sms', '+447700900102');
    expect((await h.messages(tom?.id ?? '')).map((m) => m.text)).toHaveLength(1);

    // Tom replies on his phone: the page is his and the escalation stops
    await h.send({
      providerId: 'tom-1',
      channel: 'sms',
      touchpoint: { channel: 'sms', kind: 'sms', visibility: 'private' },
      threadKey: tom?.threadKey ?? '',
      from: { kind: 'phone', value: '+447700900102' },
      text: 'on it',
    });
    const acked = await h.store.getConversation(conv.id);
    expect(acked?.assignee).toBe('tom');
    expect((await h.messages(tom?.id ?? '')).map((m) => m.text).at(-1)).toMatch(/^Thanks Tom/);
    await h.advance(60 * MINUTE);
    expect(await h.staffConversation('email', 'sam@shop.example')).toBeNull();
    const notes = (await h.messages(conv.id, true)).filter((m) => m.visibility === 'internal').map((m) => m.text);
    expect(notes).toEqual([
      'Paged Maya on sms (urgent words).',
      'Paged Tom on sms (urgent words).',
      'Page acknowledged by Tom.',
    ]);
  });

  it('answers from a Markdown article found by search, with its link, when no keyword matches', async () => {
    const article = readArticle(
      '/kb/delivery.md',
      '# Local delivery\n\nWe deliver orders over £25 within 3 miles, Tuesday to Saturday.\n',
      'https://help.example',
    );
    if (!('article' in article)) throw new Error('unreadable article');
    h = await createHarness({
      at: MON_2300,
      config: {
        ...noSla,
        articles: [article.article],
        // two entries give small scores: the threshold is on the search's scale, which grows with the corpus
        knowledge: { ...(policyConfig().knowledge as object), search: { minScore: 1 } },
      },
    });
    await h.send({ providerId: 'a', text: 'do you do deliveries to my street?' });
    expect((await texts((await only()).id)).slice(1)).toEqual([
      'We deliver orders over £25 within 3 miles, Tuesday to Saturday. More: https://help.example/delivery',
    ]);
  });

  it('pages once per closed period: a second urgent message that night does not page again', async () => {
    h = await createHarness({ at: MON_2300, config: noSla });
    await h.send({ providerId: 'a', text: 'emergency!' });
    await h.send({ providerId: 'b', text: 'emergency, please!' });
    const maya = await h.staffConversation('sms', '+447700900101');
    expect(await h.messages(maya?.id ?? '')).toHaveLength(1);
  });

  it('walks the whole chain, skipping whoever cannot be reached, and says so when nobody answers', async () => {
    h = await createHarness({ at: MON_2300, config: noSla });
    h.adapters.delete('email');
    await h.send({ providerId: 'a', text: 'urgent' });
    await h.advance(45 * MINUTE);
    const conv = await only();
    const notes = (await h.messages(conv.id, true)).filter((m) => m.visibility === 'internal').map((m) => m.text);
    expect(notes).toEqual([
      'Paged Maya on sms (urgent words).',
      'Paged Tom on sms (urgent words).',
      'Could not page Sam: email cannot reach them.',
      'Nobody on the on-call chain acknowledged the page.',
    ]);
  });

  it('takes a page through the admin action too', async () => {
    h = await createHarness({ at: MON_2300, config: noSla });
    await h.send({ providerId: 'a', text: 'urgent' });
    const conv = await only();
    expect(await h.policies.actions.acknowledgePage(conv.id, 'maya')).toBe(true);
    expect(await h.policies.actions.acknowledgePage(conv.id, 'maya')).toBe(false);
    await h.advance(30 * MINUTE);
    expect(await h.staffConversation('sms', '+447700900102')).toBeNull();
    expect((await h.store.getConversation(conv.id))?.assignee).toBe('maya');
  });

  it('treats a VIP as urgent after hours, but does not page during opening hours', async () => {
    h = await createHarness({ at: TUE_1000, config: noSla });
    await h.send({ providerId: 'a', text: 'urgent: is my order ready?' });
    const conv = await only();
    expect(conv.priority).toBe('urgent');
    expect(await h.staffConversation('sms', '+447700900101')).toBeNull();

    await h.store.transaction((tx) => tx.updateContact(conv.contactId, { vip: true }));
    h.clock.set(Date.UTC(2026, 0, 6, 22, 0));
    await h.send({ providerId: 'b', text: 'hello again' });
    expect(await h.staffConversation('sms', '+447700900101')).not.toBeNull();
  });

  it('pages the senior people first for a VIP, then the chain, on every escalation', async () => {
    const oncall = { ...(policyConfig().oncall as object), chain: ['oncall', 'next'], vip: ['sam'] };
    h = await createHarness({ at: TUE_1000, config: { ...noSla, oncall } });
    await h.send({ providerId: 'a', text: 'is my order ready?' });
    const conv = await only();
    await h.store.transaction((tx) => tx.updateContact(conv.contactId, { vip: true }));
    h.clock.set(Date.UTC(2026, 0, 6, 22, 0));
    await h.send({ providerId: 'b', text: 'hello again' });
    const paged = async () =>
      (await h.messages(conv.id, true)).filter((m) => m.text.startsWith('Paged ')).map((m) => m.text.split(' on ')[0]);
    expect(await paged()).toEqual(['Paged Sam']);
    expect(await h.staffConversation('sms', '+447700900101')).toBeNull();
    await h.advance(15 * MINUTE);
    expect(await paged()).toEqual(['Paged Sam', 'Paged Maya']);
    await h.advance(15 * MINUTE);
    expect(await paged()).toEqual(['Paged Sam', 'Paged Maya', 'Paged Tom']);
  });

  it('pages a customer who is not a VIP along the chain only', async () => {
    const oncall = { ...(policyConfig().oncall as object), chain: ['oncall', 'next'], vip: ['sam'] };
    h = await createHarness({ at: MON_2300, config: { ...noSla, oncall } });
    await h.send({ providerId: 'a', text: 'urgent' });
    await h.advance(45 * MINUTE);
    const conv = await only();
    const notes = (await h.messages(conv.id, true)).filter((m) => m.text.startsWith('Paged ')).map((m) => m.text);
    expect(notes).toEqual(['Paged Maya on sms (urgent words).', 'Paged Tom on sms (urgent words).']);
    expect(await h.staffConversation('email', 'sam@shop.example')).toBeNull();
  });
});
