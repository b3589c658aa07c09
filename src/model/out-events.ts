/** The events a webhook subscription may ask for (router.yaml `webhooks`). */
export const OUT_EVENT_TYPES = [
  'conversation.created',
  'message.created',
  'message.delivery',
  'conversation.assigned',
  'conversation.resolved',
  'contact.updated',
  'csat.received',
] as const;

export type OutEventType = (typeof OUT_EVENT_TYPES)[number];
