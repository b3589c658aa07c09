import {
  type AttachmentFiles,
  type Clock,
  type Conversation,
  type DeliveryRetry,
  type DeskHost,
  type FileRetry,
  HeldError,
  type Logger,
  type Message,
  TouchpointError,
} from '../../../src/channel/index.ts';
import { asSlackSendError, type WebClient } from '../api/client.ts';
import type { DeskSettings } from '../settings.ts';
import type { Agents } from './agents.ts';
import { clearThread, isEmptied } from './erased.ts';
import { fileMark, fileRetryText, notFetchedText, settledFiles, uploadFile } from './files.ts';
import { customerLabel, fingerprint, headerBlocks } from './header.ts';
import { failureText, mirrorText, retryText } from './mirror.ts';
import { createThreadMoves, tierOf } from './move.ts';
import { deskChannelFor, needsPerson } from './routing.ts';
import type { DeskThread, ThreadStore } from './threads.ts';

export interface DeskSyncDeps {
  desk: DeskHost;
  settings: DeskSettings;
  agents: Agents;
  threads: ThreadStore;
  client: WebClient;
  clock: Clock;
  log: Logger;
  /** Kept files: customers' attachments are shown in the thread once fetched. */
  files?: AttachmentFiles;
}

/** Slack said to wait, or the channel is held: the sync runs again at `until`. */
class Deferred extends TouchpointError {
  readonly until: number;
  constructor(until: number) {
    super('deferred', `deferred until ${new Date(until).toISOString()}`);
    this.until = until;
  }
}

const PAGE = 100;
const MAX_PAGES = 50;
const RETRY_BASE_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;

/**
 * Keeps each conversation's desk thread in step with the store: opens the
 * thread (header card) once the conversation needs a person, updates the
 * header when what it shows changed, mirrors every message after the durable
 * cursor, and posts delivery failures. Everything it posts is derived from
 * durable state, and the cursor moves only after Slack took a post: a crash or
 * a 429 delays posts, never loses them (a crash right after a post may repeat it).
 * Posts go through the outbox's limiter, keyed by the desk channel; a 429
 * holds the channel for its Retry-After and the sync resumes then.
 * Work on one conversation is serialised.
 */
export function createDeskSync(d: DeskSyncDeps) {
  const tails = new Map<string, { tail: Promise<void>; queued: boolean }>();
  const failuresInRow = new Map<string, number>();
  const cancels = new Set<() => void>();
  let stopped = false;

  function serial(conversationId: string, fn: () => Promise<void>): Promise<void> {
    const entry = tails.get(conversationId) ?? { tail: Promise.resolve(), queued: false };
    const next = entry.tail.then(fn);
    const mine = next.catch(() => {});
    entry.tail = mine;
    tails.set(conversationId, entry);
    void mine.then(() => {
      if (entry.tail === mine && !entry.queued && tails.get(conversationId) === entry) tails.delete(conversationId);
    });
    return next;
  }

  /** Syncs the conversation soon; nudges while one is waiting to start add nothing. */
  function nudge(conversationId: string): void {
    if (stopped) return;
    const entry = tails.get(conversationId);
    if (entry?.queued) return;
    void serial(conversationId, async () => {
      const e = tails.get(conversationId);
      if (e) e.queued = false;
      await runSync(conversationId);
    });
    const e = tails.get(conversationId);
    if (e) e.queued = true;
  }

  function later(conversationId: string, at: number): void {
    if (stopped) return;
    const cancel = d.clock.after(Math.max(0, at - d.clock.now()), () => {
      cancels.delete(cancel);
      nudge(conversationId);
    });
    cancels.add(cancel);
  }

  async function runSync(conversationId: string): Promise<void> {
    if (stopped) return;
    try {
      await sync(conversationId);
      failuresInRow.delete(conversationId);
    } catch (err) {
      if (err instanceof Deferred) return later(conversationId, err.until);
      const e = asSlackSendError(err);
      const n = (failuresInRow.get(conversationId) ?? 0) + 1;
      failuresInRow.set(conversationId, n);
      d.log.warn({ err: e, conversationId, attempt: n }, 'desk thread sync failed; trying again');
      later(conversationId, d.clock.now() + Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(n - 1, 10)));
    }
  }

  /** One Slack call, paced by the outbox limiter on the desk channel. */
  async function call<T>(channel: string, fn: () => Promise<T>): Promise<T> {
    const held = await d.desk.heldUntil(channel);
    if (held) throw new Deferred(held);
    return d.desk
      .schedule(channel, async () => {
        try {
          return await fn();
        } catch (err) {
          const e = asSlackSendError(err);
          if (e.failure !== 'rate_limited') throw e;
          const until = d.clock.now() + Math.max(1_000, e.retryAfterMs ?? 30_000);
          await d.desk.holdOff(channel, until);
          throw new Deferred(until);
        }
      })
      .catch((err: unknown) => {
        // A hold that began while this post waited for its turn: it did not go out.
        throw err instanceof HeldError ? new Deferred(err.until) : err;
      });
  }

  async function header(c: Conversation) {
    const contact = await d.desk.reads.contact(c.contactId);
    const identities = await d.desk.reads.identities(c.contactId);
    const suggestions = await d.desk.reads.suggestions(c.contactId);
    const queued = await d.desk.reads.queuedReply(c.id);
    const canDraft = d.desk.drafts?.enabled() === true;
    const bugs = await d.desk.reads.bugs(c.id);
    const canLogBug = d.desk.bugs?.enabled() === true;
    return headerBlocks(
      { conversation: c, contact, identities, suggestions, queued, bugs, canLogBug },
      d.agents,
      d.settings.canned.length > 0,
      canDraft,
    );
  }

  async function customerOf(c: Conversation): Promise<string | null> {
    const [contact, identities] = await Promise.all([
      d.desk.reads.contact(c.contactId),
      d.desk.reads.identities(c.contactId),
    ]);
    return customerLabel(contact, identities);
  }

  async function allMessages(conversationId: string): Promise<Message[]> {
    const out: Message[] = [];
    let afterId: string | null = null;
    for (let i = 0; i < MAX_PAGES; i++) {
      const page: Message[] = await d.desk.reads.messages(conversationId, { afterId, limit: PAGE });
      out.push(...page);
      if (page.length < PAGE) break;
      afterId = page[page.length - 1]?.id ?? null;
    }
    return out;
  }

  const moves = createThreadMoves({ client: d.client, threads: d.threads, log: d.log, call, header });

  /** A tier change moves a live conversation's thread to the tier's desk channel (move.ts); else the thread only records the tier. */
  async function followTier(t: DeskThread, c: Conversation, messages: Message[], vip: boolean) {
    if (t.moving) return moves.finish(t, c, messages, await customerOf(c));
    const tier = tierOf(c);
    if ((t.tier ?? null) === tier) return t;
    const channel = deskChannelFor(d.settings, c, vip);
    const live = c.status !== 'resolved' && c.status !== 'closed';
    if (channel !== t.channel && live) return moves.move(t, c, messages, channel, await customerOf(c));
    const kept = { ...t, tier };
    await d.threads.save(kept);
    return kept;
  }

  async function open(c: Conversation, messages: Message[], vip: boolean): Promise<DeskThread> {
    const channel = deskChannelFor(d.settings, c, vip);
    const h = await header(c);
    const res = await call(channel, () =>
      d.client.chat.postMessage({ channel, text: h.text, blocks: h.blocks as never, unfurl_links: false }),
    );
    if (!res.ts) throw new Error(`Slack returned no ts for the header card in ${channel}`);
    const skipped = messages.length - d.settings.backlog;
    const thread: DeskThread = {
      conversationId: c.id,
      channel: res.channel ?? channel,
      ts: res.ts,
      header: fingerprint(h.blocks),
      cursor: skipped > 0 ? (messages[skipped - 1]?.id ?? null) : null,
      failures: [],
      tier: tierOf(c),
    };
    await d.threads.save(thread);
    d.log.info({ conversationId: c.id, channel: thread.channel, ts: thread.ts }, 'desk thread opened');
    return thread;
  }

  async function post(t: DeskThread, text: string): Promise<void> {
    await call(t.channel, () =>
      d.client.chat.postMessage({
        channel: t.channel,
        thread_ts: t.ts,
        text,
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
  }

  async function sync(conversationId: string): Promise<void> {
    const c = await d.desk.reads.conversation(conversationId);
    if (!c) return;
    let t = await d.threads.get(conversationId);
    const vip = (await d.desk.reads.contact(c.contactId))?.vip === true;
    if (!t && !needsPerson(d.settings, c, vip)) return;
    const messages = await allMessages(conversationId);
    if (!t) {
      t = await open(c, messages, vip);
    } else {
      // an erased conversation moves nowhere: its threads are cleared below
      if (!isEmptied(c)) t = await followTier(t, c, messages, vip);
      const h = await header(c);
      const print = fingerprint(h.blocks);
      if (print !== t.header) {
        const { channel, ts } = t;
        await call(channel, () => d.client.chat.update({ channel, ts, text: h.text, blocks: h.blocks as never }));
        t = { ...t, header: print };
        await d.threads.save(t);
      }
    }
    if (isEmptied(c)) {
      if (t.cleared) return;
      let deleted = await clearThread(t, d.client, call);
      // the threads it moved away from held the same words: cleared too, their cards the anonymous shell
      for (const e of t.earlier ?? []) {
        deleted += await clearThread({ ...t, ...e }, d.client, call);
        await moves.closeCard({ ...t, ...e }, c, t);
      }
      await d.threads.save({ ...t, cleared: true });
      d.log.info({ conversationId, deleted }, 'desk thread of an erased conversation cleared');
      return;
    }
    const start = t.cursor ? messages.findIndex((m) => m.id === t?.cursor) + 1 : 0;
    const customer = start < messages.length ? await customerOf(c) : null;
    for (const m of messages.slice(start)) {
      if (!(m.author.kind === 'agent' && (await d.threads.isFromSlack(m.id))))
        await post(t, mirrorText(d.settings, d.agents, c, m, customer, vip));
      t = { ...t, cursor: m.id };
      await d.threads.save(t);
    }
    for (const m of messages) {
      if (
        m.status !== 'failed' ||
        m.direction !== 'outbound' ||
        m.visibility !== 'customer' ||
        t.failures.includes(m.id)
      )
        continue;
      await post(t, failureText(m));
      t = { ...t, failures: [...t.failures, m.id].slice(-200) };
      await d.threads.save(t);
    }
    await customerFiles(t, messages.slice(0, messages.findIndex((m) => m.id === t?.cursor) + 1));
  }

  /** Customers' files of the messages mirrored so far, each shown once its fetch is over (uploaded, or the reason). */
  async function customerFiles(thread: DeskThread, mirrored: Message[]): Promise<void> {
    const files = d.files;
    if (!files) return;
    let t = thread;
    for (const f of settledFiles(mirrored, t.files ?? [])) {
      // A file the blob store lost is said so, like one never fetched.
      const bytes = f.attachment.blobKey ? await files.read(f.attachment) : null;
      const shown = t;
      if (bytes) await call(t.channel, () => uploadFile(d.client, shown, { ...f, bytes }));
      else await post(t, notFetchedText(f.attachment));
      // Never trimmed: a mark dropped would show its file again.
      t = { ...t, files: [...(t.files ?? []), fileMark(f.message, f.index)] };
      await d.threads.save(t);
    }
  }

  /**
   * A send to the customer is being retried: said once per message and attempt,
   * in a thread the conversation already has (none is opened for it). Kept in
   * memory only: the final outcome, sent or failed, comes from the store.
   */
  const toldRetries = new Set<string>();
  function retried(conversationId: string, r: DeliveryRetry): void {
    if (stopped || r.failure !== 'transient') return;
    const mark = `${r.messageId}:${r.attempt}`;
    if (toldRetries.has(mark)) return;
    toldRetries.add(mark);
    if (toldRetries.size > 10_000) toldRetries.delete(toldRetries.values().next().value as string);
    void serial(conversationId, async () => {
      const t = await d.threads.get(conversationId);
      const m = t ? (await allMessages(conversationId)).find((x) => x.id === r.messageId) : undefined;
      if (t && m && m.visibility === 'customer') await post(t, retryText(m, r));
    }).catch((err: unknown) => d.log.warn({ err, conversationId }, 'could not post a delivery retry to the desk'));
  }

  /**
   * A customer's file could not be fetched yet: said once, on its first failed
   * attempt, in a thread the conversation already has. The outcome (the file,
   * or why it was given up) follows from the store.
   */
  const toldFiles = new Set<string>();
  function fileRetried(conversationId: string, r: FileRetry): void {
    const mark = `${r.messageId}:${r.index}`;
    if (stopped || toldFiles.has(mark)) return;
    toldFiles.add(mark);
    if (toldFiles.size > 10_000) toldFiles.delete(toldFiles.values().next().value as string);
    void serial(conversationId, async () => {
      const t = await d.threads.get(conversationId);
      const a = t
        ? (await allMessages(conversationId)).find((x) => x.id === r.messageId)?.attachments[r.index]
        : undefined;
      if (t && a) await post(t, fileRetryText(a, r.error, r.nextAt));
    }).catch((err: unknown) => d.log.warn({ err, conversationId }, 'could not post a file retry to the desk'));
  }

  return {
    nudge,
    retried,
    fileRetried,
    /** Runs `fn` in the conversation's turn: nothing is mirrored while it runs. */
    serial,
    /** After a restart: every recent conversation catches up (notices sent before the crash are gone). */
    async catchUp(limit = 200): Promise<void> {
      for (const c of await d.desk.reads.recent(limit)) nudge(c.id);
    },
    /** Resolves once every queued sync has run (tests, shutdown). */
    async idle(): Promise<void> {
      for (let i = 0; i < 100 && tails.size > 0; i++) await Promise.all([...tails.values()].map((e) => e.tail));
    },
    stop(): void {
      stopped = true;
      for (const cancel of cancels) cancel();
      cancels.clear();
    },
  };
}

export type DeskSync = ReturnType<typeof createDeskSync>;
