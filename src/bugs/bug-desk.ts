import { actorOf, audit, type By } from '../access/audit.ts';
import type { Clock } from '../clock.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Conversation, Message } from '../model/types.ts';
import type { Outbound } from '../outbound/outbound.ts';
import { renderTemplate } from '../outbound/templates.ts';
import type { TemplateDef } from '../settings/schema.ts';
import type { Bug } from '../store/bug-records.ts';
import type { Store, StoreTx } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import { issueRefOf, sameIssueUrl } from './issue-ref.ts';
import type { NewBug, Tracker } from './trackers.ts';

/**
 * The bug loop of the desk: an agent logs a bug from a conversation (an issue
 * is created in the tracker), other conversations link to the same bug, and
 * when the tracker says it is fixed every linked customer gets the "fixed"
 * template on their own channel, once (the link is marked in the
 * transaction that queues the message), and each thread gets a note.
 */
export interface BugDeskOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** The tracker of the config in force; null when none is configured. */
  tracker: () => Tracker | null;
  /** The config in force: the fixed template's id, the templates and the Redmine polling interval. */
  config: () => { fixedTemplate: string; templates: Record<string, TemplateDef>; pollEveryMs: number };
  outbound: () => Outbound;
  /** After a commit that wrote messages (the desk mirrors notes, the outbox sends replies). */
  onMessages: (conversation: Conversation, messages: Message[]) => void;
  onTimers: () => void;
}

export interface BugDesk {
  /** Whether a tracker is configured (the desk offers "Log a bug" only then). */
  enabled(): boolean;
  log(conversationId: string, bug: Omit<NewBug, 'context'>, by: By): Promise<Bug>;
  link(conversationId: string, bugId: string, by: By): Promise<Bug>;
  /**
   * Links to a bug an agent names by its issue number or URL: one logged
   * before, or an issue filed in the tracker by hand (asked for and kept).
   */
  linkRef(conversationId: string, ref: string, by: By): Promise<Bug>;
  list(conversationId: string): Promise<Bug[]>;
  /** The tracker closed issue `key`: tell each linked customer not told yet. Returns how many were told. */
  fixed(tracker: string, key: string): Promise<number>;
  /** Asks the tracker about every open bug (Redmine has no webhook): the `bugs.poll` timer. */
  poll(): Promise<number>;
  /** Schedules the first poll when the tracker needs polling (idempotent: a keyed timer). */
  schedulePolling(): Promise<void>;
  timerHandlers: Record<string, TimerHandler>;
  /** The poll the timer started last, for tests and a clean stop. */
  polling(): Promise<unknown>;
}

const POLL_TIMER = 'bugs.poll';

export function createBugDesk(o: BugDeskOptions): BugDesk {
  let lastPoll: Promise<unknown> = Promise.resolve();

  const trackerOr409 = (): Tracker => {
    const t = o.tracker();
    if (!t) throw new HttpError(409, 'no_tracker', 'no bug tracker is configured: set bugTracker in router.yaml');
    return t;
  };

  async function note(tx: StoreTx, conversation: Conversation, text: string, now: number): Promise<Message> {
    const contact = await tx.getContact(conversation.contactId);
    if (!contact) throw notFound(`conversation ${conversation.id} has no contact`);
    return o.outbound().send(tx, { conversation, contact, text, author: { kind: 'system' }, internal: true }, now);
  }

  async function conversationOf(tx: StoreTx, id: string): Promise<Conversation> {
    const c = await tx.getConversation(id);
    if (!c) throw notFound(`no conversation ${id}`);
    return c;
  }

  async function tellFixed(bug: Bug): Promise<number> {
    const now = o.clock.now();
    const { fixedTemplate, templates } = o.config();
    const written = await o.store.transaction(async (tx) => {
      const out: Array<{ conversation: Conversation; messages: Message[] }> = [];
      for (const link of await tx.bugs.fixed(bug.id, now)) {
        const conversation = await tx.getConversation(link.conversationId);
        const contact = conversation && (await tx.getContact(conversation.contactId));
        if (!conversation || !contact) continue;
        const rendered = renderTemplate(templates, fixedTemplate, {
          channel: conversation.touchpoint.channel,
          language: contact.language,
          vars: { bugTitle: bug.title, firstName: contact.name ? ` ${contact.name.split(' ')[0]}` : '' },
        });
        const told = await o.outbound().send(
          tx,
          {
            conversation,
            contact,
            text: rendered.text,
            author: { kind: 'bot' },
            templateId: fixedTemplate,
            ...(rendered.subject ? { subject: rendered.subject } : {}),
            ...(rendered.whatsapp ? { whatsappTemplate: rendered.whatsapp } : {}),
          },
          now,
        );
        const said = `Bug ${bug.tracker} #${bug.key} is fixed (${bug.url}); the customer was sent "${fixedTemplate}".`;
        out.push({ conversation, messages: [told, await note(tx, conversation, said, now)] });
      }
      return out;
    });
    for (const w of written) o.onMessages(w.conversation, w.messages);
    o.log.info({ bug: bug.id, tracker: bug.tracker, key: bug.key, told: written.length }, 'bug fixed');
    return written.length;
  }

  async function poll(): Promise<number> {
    const tracker = o.tracker();
    if (!tracker) return 0;
    let told = 0;
    for (const bug of await o.store.bugs.open(tracker.kind)) {
      try {
        if (await tracker.isClosed(bug.key)) told += await tellFixed(bug);
      } catch (err) {
        o.log.warn(
          { err, bug: bug.id, key: bug.key },
          'could not ask the bug tracker about an issue; asked again next poll',
        );
      }
    }
    return told;
  }

  async function link(conversationId: string, bugId: string, by: By): Promise<Bug> {
    const now = o.clock.now();
    const { bug, conversation, written } = await o.store.transaction(async (tx) => {
      const conversation = await conversationOf(tx, conversationId);
      const bug = await tx.bugs.get(bugId);
      if (!bug) throw notFound(`no bug ${bugId}`);
      if (!(await tx.bugs.link(bug.id, conversation.id, now))) return { bug, conversation, written: null };
      const actor = await actorOf(tx, by, 'api');
      await audit(tx, actor, 'bug.link', { conversationId, contactId: conversation.contactId }, { bugId }, now);
      const written = await note(
        tx,
        conversation,
        `Linked to bug ${bug.tracker} #${bug.key} "${bug.title}" ${bug.url}`,
        now,
      );
      return { bug, conversation, written };
    });
    if (written) o.onMessages(conversation, [written]);
    // Linked after the fix: this customer is told at once.
    if (bug.fixedAt !== null) await tellFixed(bug);
    return bug;
  }

  return {
    enabled: () => o.tracker() !== null,
    async log(conversationId, input, by) {
      const tracker = trackerOr409();
      const conversation = await conversationOf(o.store, conversationId);
      const context = `Reported from Touchpoint conversation ${conversation.id} (${conversation.touchpoint.channel}).`;
      const issue = await tracker.create({ ...input, context });
      const now = o.clock.now();
      const { bug, written } = await o.store.transaction(async (tx) => {
        const bug = await tx.bugs.add({
          tracker: tracker.kind,
          key: issue.key,
          url: issue.url,
          title: input.title,
          severity: input.severity,
          createdAt: now,
        });
        await tx.bugs.link(bug.id, conversation.id, now);
        const actor = await actorOf(tx, by, 'api');
        await audit(
          tx,
          actor,
          'bug.log',
          { conversationId, contactId: conversation.contactId },
          { bugId: bug.id, key: issue.key },
          now,
        );
        const written = await note(
          tx,
          conversation,
          `Bug logged: ${tracker.kind} #${issue.key} "${input.title}" ${issue.url}`,
          now,
        );
        return { bug, written };
      });
      o.onMessages(conversation, [written]);
      return bug;
    },
    link,
    async linkRef(conversationId, ref, by) {
      const tracker = trackerOr409();
      const wanted = issueRefOf(ref);
      if (!wanted) throw badRequest(`"${ref.slice(0, 100)}" is neither an issue number nor an issue URL`);
      // The conversation first: a wrong id keeps nothing of the tracker's answer.
      await conversationOf(o.store, conversationId);
      let bug = await o.store.bugs.byKey(tracker.kind, wanted.key);
      let closed = false;
      if (!bug) {
        const issue = await tracker.get(wanted.key);
        closed = issue.closed;
        bug = await o.store.transaction(
          async (tx) =>
            (await tx.bugs.byKey(tracker.kind, issue.key)) ??
            tx.bugs.add({
              tracker: tracker.kind,
              key: issue.key,
              url: issue.url,
              title: issue.title.slice(0, 250),
              severity: 'normal',
              createdAt: o.clock.now(),
            }),
        );
      }
      if (wanted.url && !sameIssueUrl(wanted.url, bug.url))
        throw badRequest(`${wanted.url} is not an issue of the configured tracker (issue ${bug.key} is ${bug.url})`);
      const linked = await link(conversationId, bug.id, by);
      // Closed before anyone here knew of it: the linked customer is told now.
      if (closed && linked.fixedAt === null) await tellFixed(linked);
      return linked;
    },
    list: (conversationId) => o.store.bugs.ofConversation(conversationId),
    async fixed(tracker, key) {
      const bug = await o.store.bugs.byKey(tracker, key);
      return bug ? tellFixed(bug) : 0;
    },
    poll,
    async schedulePolling() {
      if (o.tracker()?.kind !== 'redmine') return;
      const now = o.clock.now();
      await o.store.scheduleTimer({ kind: POLL_TIMER, key: POLL_TIMER, dueAt: now + o.config().pollEveryMs }, now);
      o.onTimers();
    },
    timerHandlers: {
      [POLL_TIMER]: async (_timer, tx) => {
        const now = o.clock.now();
        // The next poll is durable with this one's completion; the tracker is asked after the commit,
        // outside the transaction (its answers are idempotent: a fixed bug tells no one twice).
        if (o.tracker()?.kind === 'redmine') {
          await tx.scheduleTimer({ kind: POLL_TIMER, key: POLL_TIMER, dueAt: now + o.config().pollEveryMs }, now);
        }
        lastPoll = new Promise((resolve) => setImmediate(resolve)).then(poll).catch((err: unknown) => {
          o.log.warn({ err }, 'bug tracker poll failed');
        });
      },
    },
    polling: () => lastPoll,
  };
}
