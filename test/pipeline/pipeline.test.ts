import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VirtualClock } from '../../src/clock.ts';
import type { Routed } from '../../src/decide/route-event.ts';
import { createOutbound } from '../../src/outbound/outbound.ts';
import { createAgentActions } from '../../src/people/agent-actions.ts';
import type { Ingestor } from '../../src/pipeline/ingest.ts';
import type { Router } from '../../src/pipeline/router.ts';
import type { Store } from '../../src/store/contract.ts';
import { ANALYSED_CHARS } from '../../src/text/analysed.ts';
import {
  conversationsWithMessages as allConversations,
  databaseUrl,
  destinationOf,
  envelope,
  mail,
  type Pipeline,
  sendFirstReplyAs as sendReplyAs,
  startPipeline,
} from './harness.ts';

let store: Store;
let clock: VirtualClock;
let ingestor: Ingestor;
let router: Router;
let routed: Routed[];
let pipeline: Pipeline;

async function setup(batched: boolean, kind: 'sqlite' | 'postgres' = 'sqlite') {
  pipeline = await startPipeline(batched, kind);
  ({ store, clock, ingestor, router, routed } = pipeline);
}

const teardown = () => pipeline.teardown();
const sendFirstReplyAs = (providerId: string) => sendReplyAs(pipeline, providerId);
const conversationsWithMessages = () => allConversations(store);

const variants = [
  { name: 'SQLite, batched transactions', batched: true, kind: 'sqlite' },
  { name: 'SQLite, per-event transactions', batched: false, kind: 'sqlite' },
  { name: 'PostgreSQL, per-event transactions (needs DATABASE_URL)', batched: false, kind: 'postgres' },
] as const;

for (const v of variants) {
  describe.skipIf(v.kind === 'postgres' && !databaseUrl)(`pipeline on ${v.name}`, () => {
    beforeEach(() => setup(v.batched, v.kind));
    afterEach(teardown);

    it('stores an envelope ingested 5 times once and answers it once', async () => {
      const results = await Promise.all(Array.from({ length: 5 }, () => ingestor.ingest(envelope())));
      expect(results.filter((r) => r.stored)).toHaveLength(1);
      expect(results.filter((r) => r.duplicate)).toHaveLength(4);
      await ingestor.ingest(envelope());
      await router.drain();
      const [one, ...rest] = await conversationsWithMessages();
      expect(rest).toHaveLength(0);
      expect(one?.messages.map((m) => [m.direction, m.text])).toEqual([
        ['inbound', 'how much is a loaf?'],
        ['outbound', 'A loaf is £4.'],
      ]);
      expect(one?.c.intent).toBe('pricing');
      expect(await store.countOutbox('pending')).toBe(1);
    });

    it('decides on the first ANALYSED_CHARS characters of a message and stores all of it', async () => {
      // 'hello' past the analysed prefix is never read; 'how much' inside it is, whatever follows.
      const filler = 'lorem ipsum '.repeat(Math.ceil(ANALYSED_CHARS / 12));
      const late = `${filler}hello`;
      const early = `how much ${'z'.repeat(1_000_000)}`;
      await ingestor.ingest(envelope({ providerId: 'late', text: late }));
      await ingestor.ingest(
        envelope({ providerId: 'early', threadKey: 'webchat:v2', from: { kind: 'webchat', value: 'v2' }, text: early }),
      );
      await router.drain();
      const all = await conversationsWithMessages();
      const byThread = new Map(all.map((x) => [x.c.threadKey, x]));
      const lateConv = byThread.get('webchat:v1');
      const earlyConv = byThread.get('webchat:v2');
      expect(lateConv?.c.intent).toBeNull();
      expect(earlyConv?.c.intent).toBe('pricing');
      expect(lateConv?.messages.find((m) => m.direction === 'inbound')?.text).toBe(late);
      expect(earlyConv?.messages.find((m) => m.direction === 'inbound')?.text).toBe(early);
      expect(earlyConv?.messages.filter((m) => m.direction === 'outbound').map((m) => m.text)).toEqual([
        'A loaf is £4.',
      ]);
    });

    it('keeps one thread in one conversation, in order, and opens another for another visitor', async () => {
      await ingestor.ingest(envelope({ providerId: 'a', text: 'hello' }));
      await ingestor.ingest(envelope({ providerId: 'b', text: 'price of cake?' }));
      await ingestor.ingest(
        envelope({ providerId: 'c', threadKey: 'webchat:v2', from: { kind: 'webchat', value: 'v2' }, text: 'hi' }),
      );
      await router.drain();
      const all = await conversationsWithMessages();
      expect(all).toHaveLength(2);
      const v1 = all.find((x) => x.c.threadKey === 'webchat:v1');
      expect(v1?.messages.map((m) => m.text)).toEqual([
        'hello',
        'Hello Ada, welcome to Test Shop!',
        'price of cake?',
        'A loaf is £4.',
      ]);
    });

    it('drops echoes of our own messages and never answers an auto-reply', async () => {
      await ingestor.ingest(envelope({ providerId: 'echo', flags: { echo: true } }));
      await ingestor.ingest(
        envelope({ providerId: 'auto', flags: { autoReply: true }, text: 'I am on vacation, price list attached' }),
      );
      await router.drain();
      const all = await conversationsWithMessages();
      expect(all).toHaveLength(1);
      expect(all[0]?.messages.map((m) => m.direction)).toEqual(['inbound']);
      expect(await store.countOutbox('pending')).toBe(0);
      expect(await store.countInbound('pending')).toBe(0);
    });

    it('hands off to a person and then stays quiet until an agent resolves', async () => {
      await ingestor.ingest(envelope({ providerId: 'h1', text: 'can I talk to a person please' }));
      await ingestor.ingest(envelope({ providerId: 'h2', text: 'how much is it?' }));
      await router.drain();
      let [x] = await conversationsWithMessages();
      expect(x?.c.tags).toEqual(['wants-human', 'handoff']);
      expect(x?.c.priority).toBe('high');
      expect(x?.messages.map((m) => m.text)).toEqual([
        'can I talk to a person please',
        'Connecting you to a person.',
        'how much is it?',
      ]);

      const actions = createAgentActions({
        store,
        clock,
        outbound: createOutbound({ destinationOf }),
        onMessages: () => {},
      });
      await actions.reply(x!.c.id, { text: 'Hi, Sam here. It is £4.', agent: 'sam' });
      await actions.reply(x!.c.id, { text: 'customer seems in a hurry', agent: 'sam', internal: true });
      await actions.resolve(x!.c.id, 'sam');
      await ingestor.ingest(envelope({ providerId: 'h3', text: 'what does a cake cost' }));
      await router.drain();
      [x] = await conversationsWithMessages();
      expect(x?.c.status).toBe('open');
      const texts = x?.messages.map((m) => `${m.author.kind}${m.visibility === 'internal' ? '(note)' : ''}: ${m.text}`);
      expect(texts?.slice(3)).toEqual([
        'agent: Hi, Sam here. It is £4.',
        'agent(note): customer seems in a hurry',
        'contact: what does a cake cost',
        'bot: A loaf is £4.',
      ]);
      // two bot replies and one agent reply were queued; the internal note never was
      expect(await store.countOutbox('pending')).toBe(3);
    });

    it('records the message of a contact who opted out but writes and queues no automatic reply', async () => {
      await ingestor.ingest(envelope({ providerId: 'o1', text: 'hello' }));
      await router.drain();
      const [first] = await conversationsWithMessages();
      await store.updateContact(first!.c.contactId, { optOuts: ['webchat'] });
      await ingestor.ingest(envelope({ providerId: 'o2', text: 'price?' }));
      await router.drain();
      const [x] = await conversationsWithMessages();
      expect(x?.messages.map((m) => [m.direction, m.text, m.status])).toEqual([
        ['inbound', 'hello', 'received'],
        ['outbound', 'Hello Ada, welcome to Test Shop!', 'queued'],
        ['inbound', 'price?', 'received'],
      ]);
      expect(await store.countOutbox('pending')).toBe(1);
    });

    it('finds the conversation of our earlier message through inReplyTo', async () => {
      await ingestor.ingest(mail('a@x.test', { providerId: 'm1', threadKey: 'email:a', text: 'price?' }));
      await sendFirstReplyAs('<ours@shop.test>');
      await ingestor.ingest(
        mail('a@x.test', {
          providerId: 'm2',
          threadKey: 'email:other',
          inReplyTo: ['<ours@shop.test>'],
          text: 'thanks',
        }),
      );
      await router.drain();
      const all = await conversationsWithMessages();
      expect(all).toHaveLength(1);
      expect(all[0]?.messages.map((m) => m.text)).toEqual(['price?', 'A loaf is £4.', 'thanks']);
    });

    it('stops answering a sender that writes like a bot (loop guard)', async () => {
      for (let i = 0; i < 25; i++) await ingestor.ingest(envelope({ providerId: `loop${i}`, text: 'price?' }));
      await router.drain();
      expect(await store.countOutbox('pending')).toBe(20);
      clock.advance(11 * 60_000);
      await ingestor.ingest(envelope({ providerId: 'later', text: 'price?' }));
      await router.drain();
      expect(await store.countOutbox('pending')).toBe(21);
    });

    it('pins each reply to the message it answers, even when the thread moves on', async () => {
      await ingestor.ingest(envelope({ providerId: 'r1', text: 'price?', replyRef: { inbound: 'r1' } }));
      await ingestor.ingest(envelope({ providerId: 'r2', text: 'price of cake?', replyRef: { inbound: 'r2' } }));
      await router.drain();
      const jobs = await store.claimOutbox({ owner: 'o', now: clock.now(), leaseMs: 1000, limit: 10 });
      const refs = await Promise.all(jobs.map(async (j) => (await store.loadOutbound(j))?.message.replyRef));
      expect(refs).toEqual([{ inbound: 'r1' }, { inbound: 'r2' }]);
    });

    it('honours STOP, START and HELP keywords', async () => {
      const sms = (providerId: string, text: string, optOut?: 'stop' | 'start' | 'help') =>
        envelope({
          channel: 'sms',
          providerId,
          threadKey: '+15550001/+15550002',
          touchpoint: { channel: 'sms', kind: 'sms', visibility: 'private' },
          from: { kind: 'phone', value: '+15550002' },
          text,
          ...(optOut ? { flags: { optOut } } : {}),
        });
      await ingestor.ingest(sms('s1', 'STOP', 'stop'));
      await ingestor.ingest(sms('s2', 'how much is a loaf?'));
      await router.drain();
      expect(await store.countOutbox('pending')).toBe(0);
      const [c] = await store.listConversations({});
      expect((await store.getContact(c!.contactId))?.optOuts).toEqual(['sms']);
      await ingestor.ingest(sms('s3', 'HELP', 'help'));
      await ingestor.ingest(sms('s4', 'START', 'start'));
      await ingestor.ingest(sms('s5', 'how much is a loaf?'));
      await router.drain();
      const out = (await store.listMessages(c!.id)).filter((m) => m.direction === 'outbound');
      // Nothing is sent to a contact who opted out, not even the HELP answer: it is recorded as failed.
      expect(out.map((m) => [m.text.slice(0, 14), m.status])).toEqual([
        ['Reply STOP to ', 'failed'],
        ['Loaf £4', 'queued'],
      ]);
      expect((await store.getContact(c!.contactId))?.optOuts).toEqual([]);
    });

    it('turns a bounce into a note on the conversation it concerns, with no new contact', async () => {
      await ingestor.ingest(mail('x@example.test', { providerId: 'b1', threadKey: 'email:x', text: 'price?' }));
      await sendFirstReplyAs('<reply1@shop.test>');
      await ingestor.ingest(
        mail('mailer-daemon@mx.example.test', {
          providerId: 'dsn1',
          threadKey: 'email:mailer-daemon',
          text: 'x@example.test: 5.1.1 user unknown',
          flags: { bounce: true },
          bounceOf: '<reply1@shop.test>',
        }),
      );
      await router.drain();
      const convs = await store.listConversations({});
      expect(convs).toHaveLength(1);
      const notes = (await store.listMessages(convs[0]!.id, { includeInternal: true })).filter(
        (m) => m.visibility === 'internal',
      );
      expect(notes.map((m) => m.text)).toEqual(['Delivery failed: x@example.test: 5.1.1 user unknown']);
      // the bounced reply is marked failed in the routing transaction, with the report's own words
      const bounced = (await store.listMessages(convs[0]!.id)).find((m) => m.providerId === '<reply1@shop.test>');
      expect(bounced).toMatchObject({ status: 'failed', error: 'x@example.test: 5.1.1 user unknown' });
      expect(await store.findContactByIdentity({ kind: 'email', value: 'mailer-daemon@mx.example.test' })).toBeNull();
    });

    it('suppresses an address that bounced for good: the next reply to it is recorded as failed, not sent', async () => {
      const thread = 'email:x@example.test';
      await ingestor.ingest(mail('x@example.test', { providerId: 'h1', threadKey: thread, text: 'price?' }));
      await sendFirstReplyAs('<hard1@shop.test>');
      await ingestor.ingest(
        mail('mailer-daemon@mx.example.test', {
          providerId: 'dsn-hard',
          threadKey: 'email:mailer-daemon',
          text: 'x@example.test: 5.1.1 user unknown',
          flags: { bounce: true },
          bounceOf: '<hard1@shop.test>',
          hardBounced: ['X@example.test'],
        }),
      );
      await ingestor.ingest(mail('x@example.test', { providerId: 'h2', threadKey: thread, text: 'price?' }));
      await router.drain();
      expect(await store.countOutbox('pending')).toBe(0);
      const [c] = await store.listConversations({});
      const last = (await store.listMessages(c!.id)).filter((m) => m.direction === 'outbound').at(-1);
      expect(last?.status).toBe('failed');
      expect(last?.error).toMatch(
        /^x@example\.test is suppressed on email since .* \(hard bounce: x@example\.test: 5\.1\.1/,
      );
    });

    it('reports what it routed for live clients and the outbox', async () => {
      await ingestor.ingest(envelope());
      await router.drain();
      expect(routed).toHaveLength(1);
      expect(routed[0]?.queued).toBe(1);
      expect(routed[0]?.messages.map((m) => m.direction)).toEqual(['inbound', 'outbound']);
    });
  });
}

describe('ingest', () => {
  beforeEach(() => setup(true));
  afterEach(teardown);

  it('refuses an envelope without the fields the store needs, and stores nothing', async () => {
    await expect(ingestor.ingest(envelope({ providerId: '' }))).rejects.toThrow(/providerId/);
    expect(await store.countInbound('pending')).toBe(0);
  });

  it('writes concurrent envelopes together and acknowledges each', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        ingestor.ingest(envelope({ providerId: `n${i}`, threadKey: `webchat:${i % 7}` })),
      ),
    );
    expect(new Set(results.map((r) => r.eventId)).size).toBe(300);
    expect(await store.countInbound('pending')).toBe(300);
  });
});
