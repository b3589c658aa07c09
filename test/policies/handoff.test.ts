import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/model/types.ts';
import { createHarness, type Harness, socialComment, TUE_1000 } from './support/harness.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const noSla = { sla: {} };
const publicOnes = async () => (await h.conversations()).filter((c) => c.touchpoint.visibility === 'public');
const privateOnes = async () =>
  (await h.conversations()).filter((c) => c.touchpoint.visibility === 'private' && !c.tags.includes('staff'));
const sent = async (c: Conversation) => (await h.messages(c.id)).filter((m) => m.direction === 'outbound');

async function one<T>(list: Promise<T[]>): Promise<T> {
  const all = await list;
  expect(all).toHaveLength(1);
  return all[0] as T;
}

describe('public-to-private handoff', () => {
  it('answers a public complaint once, without personal data, and continues in a linked private conversation', async () => {
    h = await createHarness({ at: TUE_1000, config: noSla });
    await h.send(socialComment('The bread was stale, I want a refund. Terrible!'));

    const pub = await one(publicOnes());
    const priv = await one(privateOnes());
    const publicReplies = await sent(pub);
    expect(publicReplies.map((m) => [m.text, m.status])).toEqual([
      ["Thanks Ada, we've sent you a private message.", 'queued'],
    ]);
    expect(h.guard.inspect(publicReplies[0]?.text ?? '')).toBeNull();

    expect(pub.links).toEqual([{ rel: 'moved-to', conversationId: priv.id }]);
    expect(pub.tags).toContain('moved-to-private');
    expect(pub.status).toBe('resolved');
    expect(priv.links).toEqual([{ rel: 'moved-from', conversationId: pub.id }]);
    expect(priv.touchpoint).toEqual({ channel: 'social', kind: 'social.dm', visibility: 'private' });
    expect(priv.threadKey).toBe('social:reply-to:social:post-1:comment-1:u-ada');
    expect(priv.replyRef).toEqual({ inReplyToPost: 'social:post-1:comment-1' });
    expect([priv.category, priv.priority, priv.intent]).toEqual(['feedback', 'high', 'complaint']);
    expect(priv.tags).toContain('moved-from-public');
    expect((await sent(priv)).map((m) => m.text)).toEqual(['Hi Ada, Test Shop here about your comment.']);
    const context = (await h.messages(priv.id, true)).find((m) => m.visibility === 'internal');
    expect(context?.text).toContain('They wrote: "The bread was stale, I want a refund. Terrible!"');

    // the customer comments again in public: no second public reply
    await h.send(socialComment('Hello??', { providerId: 'again' }));
    expect(await sent(pub)).toHaveLength(1);
    await h.outbox.drain();
    expect(
      h.adapters
        .get('social')
        ?.sent.map((m) => m.threadKey)
        .sort(),
    ).toEqual([pub.threadKey, priv.threadKey].sort());
  });

  it('moves negative messages and messages holding or asking for personal data, and leaves the rest in public', async () => {
    h = await createHarness({ at: TUE_1000, config: noSla });
    const cases = [
      ['awful, disgusting service', true],
      ['my order TS-20931 never came', true],
      ['you can reach me at ada@example.com', true],
      ['where is my delivery?', false],
      ['how much is a loaf?', false],
    ] as const;
    for (const [i, [text]] of cases.entries()) {
      await h.send(socialComment(text, { threadKey: `social:post-1:c${i}`, from: { kind: 'social', value: `u${i}` } }));
    }
    const moved = (await publicOnes())
      .filter((c) => c.links.length > 0)
      .map((c) => c.threadKey)
      .sort();
    expect(moved).toEqual(['social:post-1:c0', 'social:post-1:c1', 'social:post-1:c2']);
  });

  it('uses the contact’s known email when the platform has no private route', async () => {
    h = await createHarness({ at: TUE_1000, config: noSla });
    await h.store.transaction(async (tx) => {
      const c = await tx.createContact({ name: 'Bo' }, { kind: 'forum', value: 'bo' }, TUE_1000);
      await tx.addIdentity(c.id, { kind: 'email', value: 'bo@example.com', verified: true });
    });
    await h.send({
      channel: 'forum',
      touchpoint: { channel: 'forum', kind: 'forum.post', visibility: 'public' },
      threadKey: 'forum:t1',
      from: { kind: 'forum', value: 'bo' },
      text: 'I have a complaint about my cake',
    });
    const priv = await one(privateOnes());
    expect(priv.touchpoint.channel).toBe('email');
    expect(priv.threadKey).toBe('email:dm:bo@example.com');
  });

  it('invites the person to send a direct message when no private route exists', async () => {
    h = await createHarness({ at: TUE_1000, config: noSla });
    await h.send({
      channel: 'forum',
      touchpoint: { channel: 'forum', kind: 'forum.post', visibility: 'public' },
      threadKey: 'forum:t2',
      from: { kind: 'forum', value: 'cy' },
      text: 'This is a complaint',
    });
    const pub = await one(publicOnes());
    expect(await privateOnes()).toHaveLength(0);
    expect((await sent(pub)).map((m) => m.text)).toEqual(['Please send us a direct message so we can help.']);
    expect(pub.tags).toContain('invited-to-dm');
    await h.send({
      channel: 'forum',
      touchpoint: { channel: 'forum', kind: 'forum.post', visibility: 'public' },
      threadKey: 'forum:t2',
      from: { kind: 'forum', value: 'cy' },
      text: 'Another complaint!',
    });
    expect(await sent(pub)).toHaveLength(1);
  });

  it('lets an agent move a conversation, and refuses to move a private one', async () => {
    h = await createHarness({ at: TUE_1000, config: noSla });
    await h.send(
      socialComment('hello', { touchpoint: { channel: 'social', kind: 'social.mention', visibility: 'public' } }),
    );
    const pub = await one(publicOnes());
    expect(await h.policies.actions.moveToPrivate(pub.id, 'agent-jo')).toMatchObject({
      status: 'moved',
      via: 'privateReply',
      channel: 'social',
    });
    expect(await h.policies.actions.moveToPrivate(pub.id, 'agent-jo')).toMatchObject({ status: 'already-moved' });
    const priv = await one(privateOnes());
    await expect(h.policies.actions.moveToPrivate(priv.id, 'agent-jo')).rejects.toMatchObject({
      status: 400,
      code: 'not_public',
    });
  });
});

describe('the public-send guard', () => {
  it('refuses an agent’s public reply with a phone number and sends it privately instead', async () => {
    h = await createHarness({ at: TUE_1000, config: noSla });
    await h.send(
      socialComment('hello', { touchpoint: { channel: 'social', kind: 'social.mention', visibility: 'public' } }),
    );
    const pub = await one(publicOnes());
    const refused = await h.actions.reply(pub.id, { text: 'Call us on 020 7946 0321', agent: 'jo' });
    expect(refused).toMatchObject({
      status: 'failed',
      visibility: 'internal',
      error: 'refused on a public touchpoint: contains a phone number',
    });
    await h.timers.drain();

    const publicTexts = (await sent(pub)).map((m) => m.text);
    expect(publicTexts).toEqual(['Sorry, I did not catch that.', "Thanks Ada, we've sent you a private message."]);
    const priv = await one(privateOnes());
    expect((await sent(priv)).map((m) => [m.text, m.author.kind])).toEqual([
      ['Hi Ada, Test Shop here about your comment.', 'system'],
      ['Call us on 020 7946 0321', 'agent'],
    ]);
    await h.outbox.drain();
    const publicSends = h.adapters.get('social')?.sent.filter((m) => m.touchpoint.visibility === 'public') ?? [];
    expect(publicSends.map((m) => m.text).join(' ')).not.toMatch(/\d{4} \d{4}/);
  });

  it('guards the bot too: a flow’s public answer with a phone number goes private', async () => {
    h = await createHarness({ at: TUE_1000, config: noSla });
    await h.send(
      socialComment('I have a complaint', {
        touchpoint: { channel: 'social', kind: 'social.mention', visibility: 'public' },
      }),
    );
    const pub = await one(publicOnes());
    const priv = await one(privateOnes());
    expect((await sent(pub)).map((m) => m.text)).toEqual(["Thanks Ada, we've sent you a private message."]);
    expect((await sent(priv)).map((m) => m.text)).toContain('So sorry, a manager will call you on 020 7946 0321.');
  });

  it('never diverts private messages', async () => {
    h = await createHarness({ at: TUE_1000, config: noSla });
    await h.send({ text: 'hello' });
    const conv = await one(privateOnes());
    const m = await h.actions.reply(conv.id, { text: 'Call us on 020 7946 0321', agent: 'jo' });
    expect(m.status).toBe('queued');
  });
});
