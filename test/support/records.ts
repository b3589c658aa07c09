import type { NewConversation } from '../../src/store/contract.ts';
import { newConversation as opened } from '../../src/store/new-conversation.ts';

/** A fresh conversation's fields: open, private on `channel`, nothing classified, assigned or linked yet. */
export function newConversation(
  contactId: string,
  channel: string,
  threadKey: string,
  over: Partial<NewConversation> = {},
): NewConversation {
  return opened(contactId, { channel, kind: channel, visibility: 'private' }, threadKey, over);
}
