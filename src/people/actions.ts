import type { By } from '../access/audit.ts';
import type { Attachment, Conversation, Message, Priority } from '../model/types.ts';

/**
 * What an agent (admin API, CLI, the Slack desk) can do to a conversation.
 * Each action writes its audit entry in its own transaction; `by` names the
 * agent (with where from, or the instance's default).
 */
export interface AgentActions {
  /** Records the reply and queues it for the customer's channel in one transaction; `internal` notes are never sent. */
  reply(
    conversationId: string,
    input: { text: string; agent: By; internal?: boolean; attachments?: Attachment[] },
  ): Promise<Message>;
  /**
   * Resolves; with `survey` (a flow id, e.g. the CSAT flow) that flow starts in the same transaction.
   * `disposition` (a code of desk.yaml) and `note` are recorded; categories desk.yaml names require a code.
   */
  resolve(
    conversationId: string,
    by: By,
    opts?: { survey?: string | null; disposition?: string | null; note?: string | null },
  ): Promise<Conversation>;
  reopen(conversationId: string, by: By): Promise<Conversation>;
  assign(conversationId: string, assignee: string | null, by: By): Promise<Conversation>;
  /** Status `snoozed` until `until` (epoch ms), then open again; a customer message before then reopens it at once. */
  snooze(conversationId: string, until: number, by: By): Promise<Conversation>;
  setPriority(conversationId: string, priority: Priority, by: By): Promise<Conversation>;
  /** Raises priority to at least high and pages the on-call chain about the conversation. */
  escalate(conversationId: string, by: By): Promise<Conversation>;
  /** Starts an engagement flow by id in the conversation now (replacing a run of the same flow). */
  startFlow(conversationId: string, flowId: string, by: By): Promise<Conversation>;
}
