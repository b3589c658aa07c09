import type { Clock } from '../clock.ts';
import { badRequest, notFound } from '../errors.ts';
import type { Conversation, Message } from '../model/types.ts';
import { type DestinationOf, queueReply } from '../pipeline/replies.ts';
import type { ConversationPatch, Store, StoreTx } from '../store/contract.ts';
import type { AgentActions } from './actions.ts';

export function createAgentActions(opts: {
  store: Store;
  clock: Clock;
  destinationOf: DestinationOf;
  /** Called after a commit that queued or recorded messages. */
  onMessages: (conversation: Conversation, messages: Message[]) => void;
}): AgentActions {
  const { store, clock } = opts;

  async function load(tx: StoreTx, id: string): Promise<Conversation> {
    const c = await tx.getConversation(id);
    if (!c) throw notFound(`no conversation ${id}`);
    return c;
  }

  async function change(id: string, patch: (c: Conversation) => ConversationPatch): Promise<Conversation> {
    return store.transaction(async (tx) => {
      const c = await load(tx, id);
      const p = patch(c);
      await tx.updateConversation(id, p, clock.now());
      return { ...c, ...p } as Conversation;
    });
  }

  return {
    async reply(conversationId, input) {
      const text = input.text.trim();
      if (!text) throw badRequest('reply text is empty');
      const { conversation, message } = await store.transaction(async (tx) => {
        const conversation = await load(tx, conversationId);
        const contact = await tx.getContact(conversation.contactId);
        if (!contact) throw notFound(`conversation ${conversationId} has no contact`);
        const now = clock.now();
        const message = await queueReply(
          tx,
          { conversation, contact, text, author: { kind: 'agent', id: input.agent, name: input.agent }, internal: input.internal === true },
          now,
          opts.destinationOf,
        );
        if (!input.internal) {
          const sla = conversation.sla.firstRespondedAt ? conversation.sla : { ...conversation.sla, firstRespondedAt: now };
          await tx.updateConversation(conversationId, { sla, status: conversation.status === 'open' ? 'pending' : conversation.status }, now);
        }
        return { conversation, message };
      });
      opts.onMessages(conversation, [message]);
      return message;
    },
    resolve(conversationId) {
      return change(conversationId, (c) => ({ status: 'resolved', flowState: withoutHandoff(c.flowState) }));
    },
    reopen(conversationId) {
      return change(conversationId, () => ({ status: 'open' }));
    },
    assign(conversationId, assignee) {
      return change(conversationId, () => ({ assignee }));
    },
  };
}

function withoutHandoff(state: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!state) return null;
  const { handoff: _handoff, ...rest } = state;
  return rest;
}
