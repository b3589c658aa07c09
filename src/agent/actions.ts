import type { Conversation, Message } from '../model/types.ts';

/** What an agent (admin API, CLI, and later the Slack desk) can do to a conversation. */
export interface AgentActions {
  /** Records the reply and queues it for the customer's channel in one transaction; `internal` notes are never sent. */
  reply(conversationId: string, input: { text: string; agent: string; internal?: boolean }): Promise<Message>;
  resolve(conversationId: string, by: string): Promise<Conversation>;
  reopen(conversationId: string, by: string): Promise<Conversation>;
  assign(conversationId: string, assignee: string | null, by: string): Promise<Conversation>;
}
