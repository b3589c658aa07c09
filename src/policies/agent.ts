import { actorOf, type By } from '../access/audit.ts';
import type { Conversation } from '../model/types.ts';
import type { AgentActions } from '../people/actions.ts';
import type { Store } from '../store/contract.ts';
import { deescalateIn } from './desk-tiers.ts';
import { type MoveResult, moveConversation } from './handoff.ts';
import type { PolicyKit } from './kit.ts';
import { acknowledge, loadLocked } from './oncall.ts';
import { agentAnswered, stopClocks } from './sla.ts';

/** What agents (the admin API now, the Slack desk later) can ask of the policies. */
export interface PolicyActions {
  /** Moves a public conversation to a private one, as the handoff rules would: one public reply, a linked private conversation. */
  moveToPrivate(conversationId: string, by: string): Promise<MoveResult>;
  /** Takes the page for a conversation: the escalation stops. False when no page was waiting. */
  acknowledgePage(conversationId: string, by: string): Promise<boolean>;
  /** Moves an escalated conversation one tier down (desk.yaml `tiers`), audited. */
  deescalate(conversationId: string, by: By): Promise<Conversation>;
}

export function createPolicyActions(kit: PolicyKit, store: Store): PolicyActions {
  return {
    moveToPrivate(conversationId, by) {
      return store.transaction((tx) =>
        moveConversation(tx, kit, conversationId, { reason: 'an agent decided', by, toPerson: true }, kit.clock.now()),
      );
    },
    acknowledgePage(conversationId, by) {
      return store.transaction((tx) => acknowledge(tx, kit, conversationId, by, kit.clock.now()));
    },
    async deescalate(conversationId, by) {
      const down = await store.transaction(async (tx) =>
        deescalateIn(tx, kit, conversationId, await actorOf(tx, by, 'api'), kit.clock.now()),
      );
      kit.onDeskChange?.(conversationId);
      return down;
    },
  };
}

/**
 * AgentActions that keep the SLA clocks: an agent's reply meets the response
 * clocks and pauses resolution while the customer is waited on; resolving
 * stops them. Each runs in its own transaction right after the action's: a
 * crash in between leaves the clocks running, and their timers, finding the
 * conversation answered (`pending`) or resolved, do nothing.
 */
export function withSlaClocks(actions: AgentActions, kit: PolicyKit, store: Store): AgentActions {
  return {
    ...actions,
    async reply(conversationId, input) {
      const message = await actions.reply(conversationId, input);
      if (message.visibility === 'customer') {
        await store.transaction(async (tx) => {
          const conversation = await loadLocked(tx, conversationId);
          if (conversation) await agentAnswered(tx, conversation, message.createdAt);
        });
      }
      return message;
    },
    async resolve(conversationId, by, opts) {
      const resolved = await actions.resolve(conversationId, by, opts);
      await store.transaction((tx) => stopClocks(tx, resolved, kit.clock.now()));
      return resolved;
    },
  };
}
