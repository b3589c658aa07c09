import type { NewConversation } from '../../src/store/contract.ts';

/** A fresh conversation's fields: open, private on `channel`, nothing classified, assigned or linked yet. */
export function newConversation(
  contactId: string,
  channel: string,
  threadKey: string,
  over: Partial<NewConversation> = {},
): NewConversation {
  return {
    contactId,
    touchpoint: { channel, kind: channel, visibility: 'private' },
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
