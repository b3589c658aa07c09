import { type Actor, actorOf, audit, type By } from '../access/audit.ts';
import type { Clock } from '../clock.ts';
import type { Written } from '../decide/write-decision.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import { startFlowIn } from '../flow-language/start-flow.ts';
import type { Conversation, Message } from '../model/types.ts';
import type { Outbound } from '../outbound/outbound.ts';
import type { ResolutionSettings } from '../settings/desk-schema.ts';
import type { Settings } from '../settings/types.ts';
import type { ConversationPatch, Store, StoreTx } from '../store/contract.ts';
import { systemNote } from '../store/notes.ts';
import type { AgentActions } from './actions.ts';
import { checkDisposition, recordDisposition } from './disposition.ts';
import { escalateIn, lastCustomerText, PRIORITIES } from './escalate.ts';
import { endSnooze, MAX_SNOOZE_MS, SNOOZE_TIMER, snoozeKey } from './snooze.ts';
import type { Translator } from './translate.ts';
import { type Translated, translateReply } from './translate-reply.ts';

export interface AgentActionOptions {
  store: Store;
  clock: Clock;
  /** The outbound chain agents' replies pass (consent, public-send guard, destination). */
  outbound: Outbound;
  /** Called after a commit that queued or recorded messages. */
  onMessages: (conversation: Conversation, messages: Message[]) => void;
  /** The flows agents may start (startFlow, the survey on resolve); without them those actions are refused. */
  flows?: {
    settings: Settings;
    /** What a started flow wrote, after commit: publish, wake the outbox and the timers. */
    onWritten: (written: Written) => void;
  };
  /** A timer was scheduled (a snooze, an escalation's page): wake the timer scheduler. */
  onTimers?: () => void;
  /** The flow started when a conversation is resolved and the caller names no survey (the CSAT flow). */
  csatOnResolve?: string | null;
  /** The name customers see for an agent (agent-name.ts); the id otherwise. */
  agentName?: (agentId: string, accountName?: string) => string;
  /** Disposition codes a resolution records, and the categories that require one (desk.yaml). */
  resolution?: ResolutionSettings;
  /** Where actions named by a bare agent id come from, for the audit log (default `api`). */
  via?: string;
  /** Translation on (business.yaml `translation`): replies go out in the contact's language, the original kept. */
  translation?: { translator: Translator; businessLanguage: string } | null;
}

const live = (c: Conversation) => c.status !== 'resolved' && c.status !== 'closed';

export function createAgentActions(opts: AgentActionOptions): AgentActions {
  const { store, clock } = opts;
  const via = opts.via ?? 'api';
  const resolution = opts.resolution ?? { dispositions: {}, requiredFor: [] };

  /** The actor of an action and its audit entry, written in the action's transaction. */
  async function record(
    tx: StoreTx,
    by: By,
    action: string,
    c: Conversation,
    detail: Record<string, unknown>,
    now: number,
  ): Promise<Actor> {
    const actor = await actorOf(tx, by, via);
    await audit(tx, actor, action, { conversationId: c.id, contactId: c.contactId }, detail, now);
    return actor;
  }

  async function load(tx: StoreTx, id: string): Promise<Conversation> {
    const c = await tx.getConversation(id);
    if (!c) throw notFound(`no conversation ${id}`);
    return c;
  }

  async function change(
    id: string,
    by: By,
    action: string,
    patch: (c: Conversation, tx: StoreTx) => Promise<ConversationPatch> | ConversationPatch,
  ): Promise<Conversation> {
    return store.transaction(async (tx) => {
      const c = await load(tx, id);
      const p = await patch(c, tx);
      const now = clock.now();
      await tx.updateConversation(id, p, now);
      await record(tx, by, action, c, { ...p, flowState: undefined, was: c.status }, now);
      return { ...c, ...p } as Conversation;
    });
  }

  function flowDeps(flowId: string) {
    const f = opts.flows;
    if (!f) throw new HttpError(409, 'no_flows', `flows cannot be started here (asked for "${flowId}")`);
    return { settings: f.settings, outbound: opts.outbound };
  }

  function told(written: Written | null): void {
    if (written) opts.flows?.onWritten(written);
  }

  return {
    async reply(conversationId, input) {
      const text = input.text.trim();
      if (!text && !input.attachments?.length) throw badRequest('reply text is empty');
      // The endpoint is called before the transaction: no store lock waits on the network.
      const translated: Translated | null =
        input.internal === true || !text ? null : await translateReply(store, opts.translation, conversationId, text);
      const { conversation, message } = await store.transaction(async (tx) => {
        const conversation = await load(tx, conversationId);
        const contact = await tx.getContact(conversation.contactId);
        if (!contact) throw notFound(`conversation ${conversationId} has no contact`);
        const now = clock.now();
        const internal = input.internal === true;
        const actor = await actorOf(tx, input.agent, via);
        const message = await opts.outbound.send(
          tx,
          {
            conversation,
            contact,
            text: translated?.text ?? text,
            ...(translated?.part ? { parts: [translated.part] } : {}),
            author: {
              kind: 'agent',
              id: actor.agentId,
              name: opts.agentName?.(actor.agentId, actor.name) ?? actor.name,
            },
            internal,
            ...(input.attachments && input.attachments.length > 0 ? { attachments: input.attachments } : {}),
          },
          now,
        );
        const action = internal ? 'note' : 'reply';
        const about = { conversationId, contactId: conversation.contactId };
        await audit(tx, actor, action, about, { messageId: message.id }, now);
        if (translated?.problem) await systemNote(tx, conversationId, translated.problem, now, 'translation');
        if (!input.internal) {
          const sla = conversation.sla.firstRespondedAt
            ? conversation.sla
            : { ...conversation.sla, firstRespondedAt: now };
          await tx.updateConversation(
            conversationId,
            { sla, status: conversation.status === 'open' ? 'pending' : conversation.status },
            now,
          );
        }
        return { conversation, message };
      });
      opts.onMessages(conversation, [message]);
      return message;
    },

    async resolve(conversationId, by, o) {
      const survey = o?.survey !== undefined ? o.survey : (opts.csatOnResolve ?? null);
      const deps = survey ? flowDeps(survey) : null;
      const { resolved, written } = await store.transaction(async (tx) => {
        const c = await load(tx, conversationId);
        const code = checkDisposition(resolution, c, { code: o?.disposition, note: o?.note });
        const now = clock.now();
        const flowState = withoutHandoff(await endSnooze(tx, c));
        await tx.updateConversation(conversationId, { status: 'resolved', flowState }, now);
        const actor = await record(tx, by, 'resolve', c, { was: c.status, survey, disposition: code }, now);
        await recordDisposition(tx, resolution, c, { code, note: o?.note ?? null, actor }, now);
        const resolved = { ...c, status: 'resolved', flowState } as Conversation;
        if (!survey || !deps) return { resolved, written: null };
        await systemNote(tx, conversationId, `Resolved by ${actor.name}; survey "${survey}" sent.`, now);
        const written = await startFlowIn(tx, conversationId, survey, { ...deps, now });
        return { resolved: written.conversation, written };
      });
      told(written);
      return resolved;
    },

    reopen(conversationId, by) {
      return change(conversationId, by, 'reopen', async (c, tx) => ({
        status: 'open',
        flowState: await endSnooze(tx, c),
      }));
    },

    assign(conversationId, assignee, by) {
      return change(conversationId, by, 'assign', () => ({ assignee }));
    },

    async snooze(conversationId, until, by) {
      const now = clock.now();
      if (!Number.isFinite(until) || until <= now)
        throw badRequest('snooze until must be a time in the future (epoch ms)');
      if (until - now > MAX_SNOOZE_MS) throw badRequest('a snooze cannot last more than a year');
      const snoozed = await store.transaction(async (tx) => {
        const c = await load(tx, conversationId);
        if (!live(c))
          throw new HttpError(
            409,
            'conversation_not_live',
            `conversation ${conversationId} is ${c.status}: reopen it first`,
          );
        const actor = await record(tx, by, 'snooze', c, { until, was: c.status }, now);
        const flowState = { ...(c.flowState ?? {}), snooze: { until, by: actor.agentId } };
        await tx.updateConversation(conversationId, { status: 'snoozed', flowState }, now);
        await tx.scheduleTimer(
          {
            kind: SNOOZE_TIMER,
            conversationId,
            dueAt: until,
            key: snoozeKey(conversationId),
            payload: { until, by: actor.agentId },
          },
          now,
        );
        await systemNote(tx, conversationId, `Snoozed by ${actor.name} until ${new Date(until).toISOString()}.`, now);
        return { ...c, status: 'snoozed', flowState } as Conversation;
      });
      opts.onTimers?.();
      return snoozed;
    },

    async setPriority(conversationId, priority, by) {
      if (!PRIORITIES.includes(priority)) throw badRequest(`priority must be one of ${PRIORITIES.join(', ')}`);
      return store.transaction(async (tx) => {
        const c = await load(tx, conversationId);
        if (c.priority === priority) return c;
        const now = clock.now();
        await tx.updateConversation(conversationId, { priority }, now);
        const actor = await record(tx, by, 'priority', c, { priority, was: c.priority }, now);
        await systemNote(tx, conversationId, `Priority set to ${priority} by ${actor.name} (was ${c.priority}).`, now);
        return { ...c, priority };
      });
    },

    async escalate(conversationId, by) {
      const text = await lastCustomerText(store, conversationId);
      const escalated = await store.transaction(async (tx) => {
        const c = await load(tx, conversationId);
        if (!live(c))
          throw new HttpError(
            409,
            'conversation_not_live',
            `conversation ${conversationId} is ${c.status}: reopen it first`,
          );
        const now = clock.now();
        const actor = await record(tx, by, 'escalate', c, { priority: c.priority }, now);
        return escalateIn(tx, c, { by: actor.name, text }, now);
      });
      opts.onTimers?.();
      return escalated;
    },

    async startFlow(conversationId, flowId, by) {
      const deps = flowDeps(flowId);
      const written = await store.transaction(async (tx) => {
        const now = clock.now();
        const w = await startFlowIn(tx, conversationId, flowId, { ...deps, now });
        const actor = await record(tx, by, 'flow.start', w.conversation, { flowId }, now);
        await systemNote(tx, conversationId, `Flow "${flowId}" started by ${actor.name}.`, now);
        return w;
      });
      told(written);
      return written.conversation;
    },
  };
}

function withoutHandoff(state: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!state) return null;
  const { handoff: _handoff, ...rest } = state;
  return rest;
}
