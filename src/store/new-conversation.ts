import type { Touchpoint } from '../model/types.ts';
import type { NewConversation } from './contract.ts';

/** A conversation as it opens: nothing classified, assigned, linked or timed yet. */
export function newConversation(
  contactId: string,
  touchpoint: Touchpoint,
  threadKey: string,
  over: Partial<NewConversation> = {},
): NewConversation {
  return {
    contactId,
    touchpoint,
    threadKey,
    status: 'open',
    category: null,
    intent: null,
    priority: 'normal',
    assignee: null,
    tags: [],
    links: [],
    sla: {},
    flowState: null,
    replyRef: null,
    lastInboundAt: null,
    ...over,
  };
}
