import type { By } from '../access/audit.ts';
import type { Bus } from '../bus.ts';
import type { Clock } from '../clock.ts';
import { acceptSuggestion, rejectSuggestion } from '../contacts/suggestions.ts';
import type { Logger } from '../log.ts';
import type { OutboxLimiter } from '../outbox/limiter.ts';
import { replyWait } from '../outbox/queue-wait.ts';
import type { Store } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import type { AgentActions } from './actions.ts';
import type { DeskBugs, DeskContacts, DeskHost, DeskNotice } from './desk-events.ts';

/** The desk capability of one channel's host: reads from the store, sends paced by the shared outbox limiter. */
export function createDeskHost(o: {
  channel: string;
  bus: Bus<DeskNotice>;
  store: Store;
  actions: AgentActions;
  moveToPrivate: (conversationId: string, by: string) => Promise<unknown>;
  deescalate: (conversationId: string, by: By) => Promise<unknown>;
  limiter: OutboxLimiter;
  clock: Clock;
  flows: DeskHost['flows'];
  dispositions: DeskHost['dispositions'];
  calendar: DeskHost['calendar'];
  knowledge?: DeskHost['knowledge'];
  drafts?: DeskHost['drafts'];
  bugs?: DeskBugs;
  qa?: DeskHost['qa'];
  crisis?: DeskHost['crisis'];
}): DeskHost {
  const { store, limiter, channel, clock } = o;
  return {
    subscribe: (fn) => o.bus.subscribe(fn),
    reads: {
      conversation: (id) => store.getConversation(id),
      contact: (id) => store.getContact(id),
      identities: (contactId) => store.listIdentities(contactId),
      messages: (id, opts) => store.listMessages(id, { ...opts, includeInternal: true }),
      recent: (limit) => store.listConversations({ limit }),
      suggestions: (contactId) => store.listSuggestions({ status: 'pending', contactId }),
      async queuedReply(conversationId) {
        const position = await store.queuedReply(conversationId);
        return position && replyWait(position, limiter.rateLimit(position.channel), clock.now());
      },
      bugs: (conversationId) => store.bugs.ofConversation(conversationId),
    },
    actions: fromDesk(o.actions, channel),
    contacts: deskContacts(store, clock, o.bus, channel),
    flows: o.flows,
    dispositions: o.dispositions,
    calendar: o.calendar,
    ...(o.knowledge ? { knowledge: o.knowledge } : {}),
    ...(o.drafts ? { drafts: o.drafts } : {}),
    ...(o.bugs ? { bugs: bugsFromDesk(o.bugs, channel) } : {}),
    ...(o.qa ? { qa: o.qa } : {}),
    ...(o.crisis ? { crisis: o.crisis } : {}),
    async moveToPrivate(conversationId, by) {
      await o.moveToPrivate(conversationId, by);
      // the private conversation it opened (or joined) is news to the desk too
      const moved = await store.getConversation(conversationId);
      for (const l of moved?.links ?? [])
        o.bus.publish({ conversationId: l.conversationId, cause: 'agent', events: [] });
    },
    async deescalate(conversationId, by) {
      await o.deescalate(conversationId, { agentId: by, via: channel });
    },
    schedule: (destination, fn) => limiter.schedule(channel, destination, fn),
    holdOff: (destination, until) => limiter.holdOff(channel, destination, until, clock.now()),
    heldUntil: (destination) => limiter.heldUntil(channel, destination, clock.now()),
  };
}

/** Suggestions answered from the desk; every conversation of the contacts involved is news (their headers change). */
function deskContacts(store: Store, clock: Clock, bus: Bus<DeskNotice>, via: string): DeskContacts {
  const decided = async (decide: typeof acceptSuggestion, id: string, by: string) => {
    const { suggestion } = await store.transaction((tx) => decide(tx, id, { by, now: clock.now(), via }));
    const survivor = (await store.mergedInto(suggestion.contactId)) ?? suggestion.contactId;
    const ids = new Set([survivor, suggestion.otherId]);
    for (const contactId of ids) {
      for (const c of await store.findConversationsOfContact(contactId, { limit: 50 }))
        bus.publish({ conversationId: c.id, cause: 'agent', events: [] });
    }
  };
  return {
    accept: (id, by) => decided(acceptSuggestion, id, by),
    reject: (id, by) => decided(rejectSuggestion, id, by),
  };
}

/** Bugs logged or linked on the desk: a bare agent id acts through the desk's channel (the audit log's `via`). */
function bugsFromDesk(bugs: DeskBugs, via: string): DeskBugs {
  const as = (by: By): By => (typeof by === 'string' ? { agentId: by, via } : by);
  return {
    enabled: () => bugs.enabled(),
    log: (id, bug, by) => bugs.log(id, bug, as(by)),
    link: (id, ref, by) => bugs.link(id, ref, as(by)),
  };
}

/** Agent actions taken on the desk: a bare agent id acts through the desk's channel (the audit log's `via`). */
function fromDesk(actions: AgentActions, via: string): AgentActions {
  const as = (by: By): By => (typeof by === 'string' ? { agentId: by, via } : by);
  return {
    reply: (id, input) => actions.reply(id, { ...input, agent: as(input.agent) }),
    resolve: (id, by, opts) => actions.resolve(id, as(by), opts),
    reopen: (id, by) => actions.reopen(id, as(by)),
    assign: (id, assignee, by) => actions.assign(id, assignee, as(by)),
    snooze: (id, until, by) => actions.snooze(id, until, as(by)),
    setPriority: (id, priority, by) => actions.setPriority(id, priority, as(by)),
    escalate: (id, by) => actions.escalate(id, as(by)),
    startFlow: (id, flowId, by) => actions.startFlow(id, flowId, as(by)),
  };
}

/** Agent actions that tell the desk about the conversation they changed. */
export function withDeskNotices(actions: AgentActions, bus: Bus<DeskNotice>): AgentActions {
  const told = <T>(conversationId: string, result: T): T => {
    bus.publish({ conversationId, cause: 'agent', events: [] });
    return result;
  };
  return {
    reply: async (id, input) => told(id, await actions.reply(id, input)),
    resolve: async (id, by, opts) => told(id, await actions.resolve(id, by, opts)),
    reopen: async (id, by) => told(id, await actions.reopen(id, by)),
    assign: async (id, assignee, by) => told(id, await actions.assign(id, assignee, by)),
    snooze: async (id, until, by) => told(id, await actions.snooze(id, until, by)),
    setPriority: async (id, priority, by) => told(id, await actions.setPriority(id, priority, by)),
    escalate: async (id, by) => told(id, await actions.escalate(id, by)),
    startFlow: async (id, flowId, by) => told(id, await actions.startFlow(id, flowId, by)),
  };
}

/**
 * Timer handlers that tell the desk about the conversation a timer fired for
 * (SLA warnings and breaches write notes). The notice goes out once the
 * handler's transaction had its turn: a desk read queues behind it.
 */
export function withTimerNotices(
  handlers: Record<string, TimerHandler>,
  bus: Bus<DeskNotice>,
): Record<string, TimerHandler> {
  const out: Record<string, TimerHandler> = {};
  for (const [kind, handler] of Object.entries(handlers)) {
    out[kind] = async (timer, tx) => {
      await handler(timer, tx);
      const conversationId = timer.conversationId;
      if (!conversationId) return;
      // a timer may open or change linked conversations (a handoff opens the private one): those are news too
      const linked = (await tx.getConversation(conversationId))?.links.map((l) => l.conversationId) ?? [];
      const ids = new Set([conversationId, ...linked]);
      setImmediate(() => {
        for (const id of ids) bus.publish({ conversationId: id, cause: 'timer', events: [timer.kind] });
      });
    };
  }
  return out;
}

/**
 * A contact was erased: each of their conversations is news to the desk, whose
 * threads hold their words (the Slack desk clears them: adapters/slack/desk/erased.ts).
 */
export function erasedNotices(store: Store, bus: Bus<DeskNotice>, log: Logger): (contactId: string) => void {
  return (contactId) =>
    void store
      .findConversationsOfContact(contactId, { limit: 10_000 })
      .then((cs) => {
        for (const c of cs) bus.publish({ conversationId: c.id, cause: 'agent', events: ['erased'] });
      })
      .catch((err: unknown) => log.warn({ err, contactId }, 'could not tell the desk of an erasure'));
}
