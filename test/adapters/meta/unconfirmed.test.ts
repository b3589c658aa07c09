import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelAdapter } from '../../../src/channel/contract.ts';
import { silentLogger } from '../../../src/log.ts';
import { createOutboxLimiter, type OutboxLimiter } from '../../../src/outbox/limiter.ts';
import type { OutboxJob, Store } from '../../../src/store/contract.ts';
import { conversationOn, queueMessage, tempStore, testWorker } from '../../outbox/fixture.ts';
import { PAGE_ID, startMeta } from './support.ts';

/**
 * The outbox and the real Meta adapter after a crash cut a send short:
 * Graph is asked before anything is sent again, and the fake Graph API
 * counts what reached it.
 */
type Meta = Awaited<ReturnType<typeof startMeta>>;
let meta: Meta;
let store: Store;
let cleanup: () => Promise<void>;
const limiters: OutboxLimiter[] = [];
const flagged: Array<{ job: OutboxJob; outcome: string }> = [];

beforeEach(async () => {
  meta = await startMeta('facebook');
  ({ store, cleanup } = await tempStore('meta-unconfirmed'));
  flagged.length = 0;
});
afterEach(async () => {
  for (const l of limiters.splice(0)) await l.close();
  await cleanup();
  await meta.close();
});

function worker(adapter: ChannelAdapter, owner: string) {
  const adapters = new Map([['facebook', adapter]]);
  const limiter = createOutboxLimiter({ adapters, log: silentLogger, clock: meta.clock });
  limiters.push(limiter);
  return testWorker({
    store,
    adapters,
    limiter,
    clock: meta.clock,
    owner,
    onUnconfirmed: (job, outcome) => {
      flagged.push({ job, outcome });
    },
  });
}

/** The process dies during the send: after Graph took it (`after`) or before the request left (`before`). */
async function crashDuringSend(when: 'after' | 'before') {
  let started = false;
  const dying: ChannelAdapter = {
    ...meta.adapter,
    capabilities: meta.adapter.capabilities,
    rateLimit: meta.adapter.rateLimit,
    async send(msg) {
      started = true;
      if (when === 'after') await meta.adapter.send(msg);
      return new Promise(() => {});
    },
  };
  void worker(dying, 'crashed').tick();
  while (!started || (when === 'after' && meta.graph.sends.length === 0)) await new Promise((r) => setTimeout(r, 1));
  meta.clock.advance(120_000);
}

async function notes(conversationId: string): Promise<string[]> {
  const all = await store.listMessages(conversationId, { includeInternal: true });
  return all.filter((m) => m.visibility === 'internal').map((m) => m.text);
}

describe('a Facebook reply cut short by a crash', () => {
  it('that Graph has is recorded as sent with its id, and not sent again', async () => {
    const conversation = await conversationOn(store, 'facebook', `comment:${PAGE_ID}:p_c1`);
    const { message } = await queueMessage(store, conversation, { text: 'Thanks for the kind words!' });
    await crashDuringSend('after');
    await worker(meta.adapter, 'restarted').drain();
    expect(meta.graph.sends.map((s) => s.text)).toEqual(['Thanks for the kind words!']);
    const [stored] = await store.listMessages(conversation.id);
    expect(stored).toMatchObject({ id: message.id, status: 'sent', providerId: 'p_c1_reply1' });
    expect(await notes(conversation.id)).toEqual([]);
  });

  it('that never reached Graph is sent once', async () => {
    const conversation = await conversationOn(store, 'facebook', `comment:${PAGE_ID}:p_c2`);
    await queueMessage(store, conversation, { text: 'See you soon' });
    await crashDuringSend('before');
    await worker(meta.adapter, 'restarted').drain();
    expect(meta.graph.sends.map((s) => s.text)).toEqual(['See you soon']);
    expect(await store.countOutbox('sent')).toBe(1);
    expect(flagged).toEqual([]);
  });

  it('when Graph refuses the look-up (no permission), is flagged on the conversation and sent again', async () => {
    const conversation = await conversationOn(store, 'facebook', `comment:${PAGE_ID}:p_c3`);
    const { job } = await queueMessage(store, conversation, { text: 'Your cake is ready' });
    await crashDuringSend('after');
    meta.graph.scriptReads({
      status: 403,
      code: 10,
      message: '(#10) Application does not have permission for this action',
    });
    await worker(meta.adapter, 'restarted').drain();
    expect(meta.graph.sends).toHaveLength(2);
    expect(await notes(conversation.id)).toEqual([
      expect.stringMatching(
        /^A reply may have been sent twice: sending "Your cake is ready" was interrupted.*permission/,
      ),
    ]);
    expect(flagged.map((f) => [f.job.id, f.outcome])).toEqual([[job.id, 'resent']]);
  });
});
