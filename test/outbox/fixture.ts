import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.ts';
import type { Conversation, Message } from '../../src/model/types.ts';
import { createOutboxWorker, type OutboxWorker, type OutboxWorkerOptions } from '../../src/outbox/worker.ts';
import { createBackoff } from '../../src/retry/backoff.ts';
import type { OutboxJob, Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { newConversation } from '../support/records.ts';

export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** A real SQLite store in a fresh temporary folder; `reopen` simulates a restart on the same file. */
export async function tempStore(prefix: string): Promise<{
  store: Store;
  dataDir: string;
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), `touchpoint-${prefix}-`));
  const opened: Store[] = [await openStore({ dataDir, synchronous: 'normal', log: silentLogger })];
  return {
    store: opened[0] as Store,
    dataDir,
    async reopen() {
      const store = await openStore({ dataDir, synchronous: 'normal', log: silentLogger });
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const s of opened) await s.close().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let seq = 0;

/** A contact with one open conversation on `channel`, thread `threadKey`. */
export function conversationOn(store: Store, channel: string, threadKey = `thread-${++seq}`): Promise<Conversation> {
  return store.transaction(async (tx) => {
    const contact = await tx.createContact({ name: 'Ann' }, { kind: 'phone', value: `+1555000${++seq}` }, T0);
    return tx.createConversation(newConversation(contact.id, channel, threadKey, { replyRef: { to: threadKey } }), T0);
  });
}

/** An outbound message and its outbox row, written in one transaction as the router does. */
export function queueMessage(
  store: Store,
  conversation: Conversation,
  opts: { text?: string; dueAt?: number; destination?: string; author?: Message['author']; internal?: boolean } = {},
): Promise<{ message: Message; job: OutboxJob }> {
  return store.transaction(async (tx) => {
    const message = await tx.insertMessage(
      {
        conversationId: conversation.id,
        direction: 'outbound',
        author: opts.author ?? { kind: 'bot' },
        text: opts.text ?? 'hello',
        attachments: [],
        providerId: null,
        status: 'queued',
        visibility: opts.internal ? 'internal' : 'customer',
      },
      T0,
    );
    const job = await tx.enqueueOutbound(
      {
        messageId: message.id,
        conversationId: conversation.id,
        channel: conversation.touchpoint.channel,
        destination: opts.destination ?? conversation.threadKey,
        dueAt: opts.dueAt ?? T0,
      },
      T0,
    );
    return { message, job };
  });
}

/** Lets pending promise callbacks and I/O run: a bounded number of event-loop turns, no timers. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/** A worker with a 60 s lease, 5 attempts and a fixed 1 s backoff, silent; the rest as given. */
export function testWorker(
  o: Pick<OutboxWorkerOptions, 'store' | 'adapters' | 'limiter' | 'clock' | 'owner'> & Partial<OutboxWorkerOptions>,
): OutboxWorker {
  return createOutboxWorker({
    log: silentLogger,
    leaseMs: 60_000,
    maxAttempts: 5,
    backoff: createBackoff({ baseMs: 1_000, maxMs: 1_000, random: () => 0.5 }),
    concurrency: 8,
    ...o,
  });
}
