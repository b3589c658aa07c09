import type { Bus } from '../bus.ts';
import type { MessageEvent } from '../channel/host.ts';
import type { Routed } from '../decide/route-event.ts';
import type { Written } from '../decide/write-decision.ts';
import type { SendError } from '../errors.ts';
import type { Conversation, Message } from '../model/types.ts';
import { QUEUE_SHOWN_AFTER_MS } from '../outbox/queue-wait.ts';
import type { DeskNotice } from '../people/desk-events.ts';
import type { AdoptedOutbound, OutboxJob } from '../store/contract.ts';

/**
 * What happens once a decision is committed, whoever made it (routing, a
 * flow timer, a business event, an agent): live clients see the customer's
 * messages, the desk hears the conversation changed, and the workers wake
 * for what was queued. The wiring connects this to the router, the flows,
 * the agent actions and the outbox; nothing else fans out.
 */
export interface AfterCommitParts {
  outbox: { adopt(rows: AdoptedOutbound[]): void; kick(): void };
  timers: { kick(): void };
  messages: Bus<MessageEvent>;
  desk: Bus<DeskNotice>;
  /** Customers' messages, for the desk's translation (business.yaml `translation`); runs in the background. */
  translateInbound?: (conversationId: string, messages: Message[]) => void;
}

export interface AfterCommit {
  /** A routing round, once durable: the rows adopted by the local outbox go out without a claim. */
  routed(routed: Routed[], adopted: AdoptedOutbound[]): void;
  /** A flow's decision outside the inbound path (timers, business events, started by an agent). */
  written(w: Written): void;
  /** An agent's reply or note. */
  agentMessages(conversation: Conversation, messages: Message[]): void;
  /** The outbox gave up on a message. */
  deadLettered(job: OutboxJob): void;
  /** A send was interrupted and the provider cannot say whether it went out (the desk is told). */
  unconfirmed(job: OutboxJob): void;
  /** The outbox will try a message again at `nextAt`. */
  retrying(job: OutboxJob, error: SendError, nextAt: number): void;
  /** A message went out at `now`: if it had waited behind its sender's pace, the desk showed it queued. */
  delivered(job: OutboxJob, now: number): void;
}

export function createAfterCommit(p: AfterCommitParts): AfterCommit {
  const publish = (channel: string, threadKey: string, messages: Message[]) => {
    for (const message of messages)
      if (message.visibility === 'customer') p.messages.publish({ channel, threadKey, message });
  };
  return {
    routed(routed, adopted) {
      p.outbox.adopt(adopted);
      // Adopted rows are in the worker's hands already: only the others need a claim.
      let queued = -adopted.length;
      for (const x of routed) {
        queued += x.queued;
        publish(x.channel, x.threadKey, x.messages);
        if (x.conversationId) {
          p.desk.publish({ conversationId: x.conversationId, cause: 'inbound', events: x.events.map((e) => e.type) });
          p.translateInbound?.(x.conversationId, x.messages);
        }
      }
      if (queued > 0) p.outbox.kick();
    },
    written(w) {
      publish(w.conversation.touchpoint.channel, w.conversation.threadKey, w.messages);
      p.desk.publish({ conversationId: w.conversation.id, cause: 'flow', events: [] });
      p.outbox.kick();
      p.timers.kick();
    },
    agentMessages(conversation, messages) {
      publish(conversation.touchpoint.channel, conversation.threadKey, messages);
      p.outbox.kick();
    },
    deadLettered(job) {
      p.desk.publish({ conversationId: job.conversationId, cause: 'delivery', events: [] });
    },
    unconfirmed(job) {
      p.desk.publish({ conversationId: job.conversationId, cause: 'delivery', events: ['delivery.unconfirmed'] });
    },
    delivered(job, now) {
      if (now - job.dueAt >= QUEUE_SHOWN_AFTER_MS)
        p.desk.publish({ conversationId: job.conversationId, cause: 'delivery', events: [] });
    },
    retrying(job, error, nextAt) {
      const limited = error.failure === 'rate_limited';
      p.desk.publish({
        conversationId: job.conversationId,
        cause: 'delivery',
        events: [],
        retry: {
          messageId: job.messageId,
          attempt: job.attempts + (limited ? 0 : 1),
          failure: limited ? 'rate_limited' : 'transient',
          error: error.message,
          nextAt,
        },
      });
    },
  };
}
