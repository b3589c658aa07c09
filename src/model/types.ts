/**
 * The conversation model shared by every part of the core and every adapter.
 * Plain data only: rows in the store map onto these shapes one to one.
 */

export type Visibility = 'public' | 'private';

/** Where a message came from: a channel plus the kind of place on it. */
export interface Touchpoint {
  /** The adapter's channel name: `webchat`, `email`, `sms`, `slack` … */
  channel: string;
  /** `email`, `sms`, `whatsapp`, `slack.dm`, `facebook.comment`, `webchat`, `webform` … */
  kind: string;
  visibility: Visibility;
}

/** How a customer is known on one channel: an email address, an E.164 number, a Slack user … */
export interface IdentityRef {
  /** `email`, `phone`, `whatsapp`, `slack`, `discord`, `messenger`, `instagram`, `botframework`, `webchat` */
  kind: string;
  value: string;
  /** True when the channel proves the person owns it (a verified email or phone). */
  verified?: boolean;
}

export interface Identity extends IdentityRef {
  id: string;
  contactId: string;
}

export interface Contact {
  id: string;
  name: string | null;
  vip: boolean;
  language: string | null;
  timezone: string | null;
  /** Channels this contact opted out of (`sms`, `whatsapp`, `*` for all). */
  optOuts: string[];
  attributes: Record<string, unknown>;
  createdAt: number;
}

export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'resolved' | 'closed';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';

export interface ConversationLink {
  /** `moved-to`, `moved-from`, `related` */
  rel: string;
  conversationId: string;
}

/** SLA clocks: due instants (epoch ms) and when each was met. */
export interface SlaState {
  firstResponseDue?: number | null;
  nextResponseDue?: number | null;
  resolutionDue?: number | null;
  firstRespondedAt?: number | null;
  pausedAt?: number | null;
}

export interface Conversation {
  id: string;
  contactId: string;
  touchpoint: Touchpoint;
  /** Opaque key owned by the adapter: it alone encodes and decodes it. */
  threadKey: string;
  status: ConversationStatus;
  category: string | null;
  intent: string | null;
  priority: Priority;
  assignee: string | null;
  tags: string[];
  links: ConversationLink[];
  sla: SlaState;
  /** Durable state of the engagement flow driving this conversation. */
  flowState: Record<string, unknown> | null;
  /** The adapter's reply reference from the latest inbound message. */
  replyRef: Record<string, unknown> | null;
  createdAt: number;
  updatedAt: number;
  lastInboundAt: number | null;
}

export type Direction = 'inbound' | 'outbound';
export type AuthorKind = 'contact' | 'agent' | 'bot' | 'system';
export type DeliveryStatus = 'received' | 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface Attachment {
  name?: string;
  contentType: string;
  /** Inbound: where the provider serves the file (fetched with the provider's credentials). Outbound: a public link. */
  url?: string;
  size?: number;
  /** Hex SHA-256 of the bytes kept in the blob store. */
  sha256?: string;
  /** The blob store's key once the bytes are kept (src/blobs/). */
  blobKey?: string;
  /** Why the file was not kept: refused by the fetch guard, or failed after every retry. */
  error?: string;
}

export interface Message {
  id: string;
  conversationId: string;
  direction: Direction;
  author: { kind: AuthorKind; id?: string | null; name?: string | null };
  text: string;
  /** Channel-neutral rich parts (buttons, cards) an adapter may render. */
  parts?: unknown[];
  attachments: Attachment[];
  /** The provider's id, used for dedupe (inbound) and threading (outbound). */
  providerId: string | null;
  status: DeliveryStatus;
  /** `internal` is an agent note: never sent to the customer. */
  visibility: 'customer' | 'internal';
  error?: string | null;
  /** Outbound: the adapter's reply reference at decision time (the message it answers). */
  replyRef?: Record<string, unknown> | null;
  createdAt: number;
}

export interface EnvelopeFlags {
  /** An automatic message (vacation reply, receipt): never auto-answer it. */
  autoReply?: boolean;
  /** A delivery failure report for one of our messages. */
  bounce?: boolean;
  /** An echo of a message we sent ourselves. */
  echo?: boolean;
  /**
   * A carrier keyword (SMS STOP/START/HELP families): `stop` records an opt-out of
   * this channel, `start` lifts it, `help` is answered from the help template;
   * `unsubscribe` (a mail to List-Unsubscribe's mailto) opts out of marketing only.
   * The message itself is still stored like any other.
   */
  optOut?: 'stop' | 'start' | 'help' | 'unsubscribe';
}

/** One inbound event as an adapter hands it to the core. */
export interface Envelope {
  channel: string;
  /** The provider's id for this event; with `channel`, the dedupe key. */
  providerId: string;
  touchpoint: Touchpoint;
  threadKey: string;
  /** Provider ids of our earlier messages this one answers (email References, Slack thread_ts). */
  inReplyTo?: string[];
  from: IdentityRef & { name?: string | null };
  text: string;
  attachments?: Attachment[];
  /** What the adapter needs to answer in the same thread. */
  replyRef?: Record<string, unknown>;
  flags?: EnvelopeFlags;
  /** For a bounce: the provider id of the message that failed. */
  bounceOf?: string;
  /** For a bounce: the addresses whose delivery failed for good (a 5.x.x status): nothing goes to them again. */
  hardBounced?: string[];
  /** Provider timestamp (epoch ms); the store's receive time is authoritative. */
  sentAt?: number;
  /** Original payload, kept for audit. */
  raw?: unknown;
}

/** A reply the core asks an adapter to deliver. */
export interface OutboundMessage {
  /** The outbox row id: stable across retries, usable as an idempotency key. */
  id: string;
  messageId: string;
  conversationId: string;
  channel: string;
  touchpoint: Touchpoint;
  threadKey: string;
  /** Where to send: the rate-limit key within the channel (a phone number, a Slack channel …). */
  destination: string;
  text: string;
  parts?: unknown[];
  attachments?: Attachment[];
  replyRef: Record<string, unknown> | null;
  /** When the store received the customer's latest message in this conversation (WhatsApp's 24-hour window); null if none. */
  lastInboundAt: number | null;
  /** Provider ids of the messages this one answers, oldest first (email References); empty unless the channel asks (`capabilities.references`). */
  references: string[];
  author: Message['author'];
  /** True when sent without a person (bot replies): mail gets `Auto-Submitted`. */
  automatic: boolean;
  attempt: number;
}
