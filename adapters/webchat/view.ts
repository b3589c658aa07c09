import type { Message, OutboundMessage } from '../../src/channel/index.ts';

/** A message as the browser sees it: no internal ids beyond what the page needs. */
export interface ChatMessageView {
  id: string;
  from: 'customer' | 'bot' | 'agent' | 'system';
  name: string | null;
  text: string;
  at: number;
  /** For the visitor's own messages: the id the browser gave it, to replace its pending bubble. */
  clientId?: string;
}

/** Agent notes never reach the browser, whatever a caller hands us. */
export const isVisible = (m: Message) => m.visibility === 'customer';

export function viewOfMessage(m: Message, visitorId: string): ChatMessageView {
  const view: ChatMessageView = {
    id: m.id,
    from: m.direction === 'inbound' ? 'customer' : authorKind(m.author.kind),
    name: m.direction === 'inbound' ? null : (m.author.name ?? null),
    text: m.text,
    at: m.createdAt,
  };
  const prefix = `${visitorId}:`;
  if (m.direction === 'inbound' && m.providerId?.startsWith(prefix)) view.clientId = m.providerId.slice(prefix.length);
  return view;
}

export function viewOfOutbound(m: OutboundMessage, at: number): ChatMessageView {
  return { id: m.messageId, from: authorKind(m.author.kind), name: m.author.name ?? null, text: m.text, at };
}

const authorKind = (kind: Message['author']['kind']): ChatMessageView['from'] =>
  kind === 'contact' ? 'customer' : kind;
