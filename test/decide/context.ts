import type { RouteContext } from '../../src/decide/context.ts';
import { newDecision } from '../../src/decide/write-decision.ts';
import type { Contact, Envelope, Message } from '../../src/model/types.ts';
import type { Settings } from '../../src/settings/types.ts';
import { newConversation } from '../../src/store/new-conversation.ts';
import { testSettings } from '../support/settings.ts';

export const T0 = Date.UTC(2026, 0, 5, 10);

/** The routing context of one webchat message from contact c1, in a new conversation. */
export function context(
  envelope: Partial<Envelope> = {},
  contact: Partial<Contact> = {},
  over: { settings?: Settings; conversation?: Partial<RouteContext['conversation']> } = {},
): RouteContext {
  const touchpoint = { channel: 'webchat', kind: 'webchat', visibility: 'private' } as const;
  const conversation = {
    ...newConversation('c1', touchpoint, 'webchat:v1', {}),
    id: 'conv-1',
    createdAt: T0,
    ...over.conversation,
  };
  const c = {
    id: 'c1',
    name: null,
    vip: false,
    language: null,
    timezone: null,
    optOuts: [],
    attributes: {},
    createdAt: T0,
    ...contact,
  } as Contact;
  return {
    ...newDecision(over.settings ?? testSettings(), T0, conversation as RouteContext['conversation'], c),
    envelope: {
      channel: 'webchat',
      providerId: 'p1',
      touchpoint,
      threadKey: 'webchat:v1',
      from: { kind: 'webchat', value: 'v1' },
      text: 'hello',
      ...envelope,
    },
    message: {} as Message,
    isNewConversation: true,
    silence: null,
  };
}
