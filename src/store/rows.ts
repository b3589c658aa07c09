import type { Selectable } from 'kysely';
import type { Contact, Conversation, ConversationStatus, Message } from '../model/types.ts';
import type { DeadLetter, InboundEvent, OutboxJob, Timer } from './contract.ts';
import { envelopeFromJson } from './envelope-json.ts';
import type {
  ContactsTable,
  ConversationsTable,
  InboundEventsTable,
  MessagesTable,
  OutboxTable,
  TimersTable,
} from './schema.ts';

/** The one place model values become column values and back. */

export const toJson = (value: unknown): string => JSON.stringify(value);
export const fromJson = <T>(text: string): T => JSON.parse(text) as T;
export const toJsonOrNull = (value: unknown): string | null => (value == null ? null : JSON.stringify(value));
export const fromJsonOrNull = <T>(text: string | null): T | null => (text == null ? null : (JSON.parse(text) as T));
export const toFlag = (value: boolean | undefined): number => (value ? 1 : 0);

export type ContactRow = Selectable<ContactsTable>;
export type ConversationRow = Selectable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type InboundRow = Selectable<InboundEventsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type TimerRow = Selectable<TimersTable>;

export function contactFromRow(r: ContactRow): Contact {
  return {
    id: r.id,
    name: r.name,
    vip: Boolean(r.vip),
    language: r.language,
    timezone: r.timezone,
    optOuts: fromJson(r.opt_outs),
    attributes: fromJson(r.attributes),
    createdAt: r.created_at,
  };
}

export function contactColumns(c: Partial<Omit<Contact, 'id' | 'createdAt'>>): Partial<ContactRow> {
  const out: Partial<ContactRow> = {};
  if (c.name !== undefined) out.name = c.name;
  if (c.vip !== undefined) out.vip = toFlag(c.vip);
  if (c.language !== undefined) out.language = c.language;
  if (c.timezone !== undefined) out.timezone = c.timezone;
  if (c.optOuts !== undefined) out.opt_outs = toJson(c.optOuts);
  if (c.attributes !== undefined) out.attributes = toJson(c.attributes);
  return out;
}

export function conversationFromRow(r: ConversationRow): Conversation {
  return {
    id: r.id,
    contactId: r.contact_id,
    touchpoint: {
      channel: r.channel,
      kind: r.touchpoint_kind,
      visibility: r.visibility as Conversation['touchpoint']['visibility'],
    },
    threadKey: r.thread_key,
    status: r.status as ConversationStatus,
    category: r.category,
    intent: r.intent,
    priority: r.priority as Conversation['priority'],
    assignee: r.assignee,
    tags: fromJson(r.tags),
    links: fromJson(r.links),
    sla: fromJson(r.sla),
    flowState: fromJsonOrNull(r.flow_state),
    replyRef: fromJsonOrNull(r.reply_ref),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastInboundAt: r.last_inbound_at,
  };
}

/** Columns for the fields present in `c`; absent fields are left alone. */
export function conversationColumns(c: Partial<Omit<Conversation, 'id'>>): Partial<ConversationRow> {
  const out: Partial<ConversationRow> = {};
  if (c.contactId !== undefined) out.contact_id = c.contactId;
  if (c.touchpoint !== undefined) {
    out.channel = c.touchpoint.channel;
    out.touchpoint_kind = c.touchpoint.kind;
    out.visibility = c.touchpoint.visibility;
  }
  if (c.threadKey !== undefined) out.thread_key = c.threadKey;
  if (c.status !== undefined) out.status = c.status;
  if (c.category !== undefined) out.category = c.category;
  if (c.intent !== undefined) out.intent = c.intent;
  if (c.priority !== undefined) out.priority = c.priority;
  if (c.assignee !== undefined) out.assignee = c.assignee;
  if (c.tags !== undefined) out.tags = toJson(c.tags);
  if (c.links !== undefined) out.links = toJson(c.links);
  if (c.sla !== undefined) out.sla = toJson(c.sla);
  if (c.flowState !== undefined) out.flow_state = toJsonOrNull(c.flowState);
  if (c.replyRef !== undefined) out.reply_ref = toJsonOrNull(c.replyRef);
  if (c.createdAt !== undefined) out.created_at = c.createdAt;
  if (c.updatedAt !== undefined) out.updated_at = c.updatedAt;
  if (c.lastInboundAt !== undefined) out.last_inbound_at = c.lastInboundAt;
  return out;
}

export function messageFromRow(r: MessageRow): Message {
  const author: Message['author'] = { kind: r.author_kind as Message['author']['kind'] };
  if (r.author_id != null) author.id = r.author_id;
  if (r.author_name != null) author.name = r.author_name;
  const m: Message = {
    id: r.id,
    conversationId: r.conversation_id,
    direction: r.direction as Message['direction'],
    author,
    text: r.text,
    attachments: fromJson(r.attachments),
    providerId: r.provider_id,
    status: r.status as Message['status'],
    visibility: r.visibility as Message['visibility'],
    error: r.error,
    createdAt: r.created_at,
  };
  if (r.parts != null) m.parts = fromJson(r.parts);
  if (r.reply_ref != null) m.replyRef = fromJson(r.reply_ref);
  return m;
}

export function messageToRow(m: Message, channel: string): MessageRow {
  return {
    id: m.id,
    conversation_id: m.conversationId,
    channel,
    direction: m.direction,
    author_kind: m.author.kind,
    author_id: m.author.id ?? null,
    author_name: m.author.name ?? null,
    text: m.text,
    parts: toJsonOrNull(m.parts),
    attachments: toJson(m.attachments ?? []),
    provider_id: m.providerId,
    status: m.status,
    visibility: m.visibility,
    error: m.error ?? null,
    reply_ref: toJsonOrNull(m.replyRef),
    created_at: m.createdAt,
  };
}

export function inboundFromRow(r: InboundRow): InboundEvent {
  return {
    id: r.id,
    channel: r.channel,
    providerId: r.provider_id,
    threadKey: r.thread_key,
    envelope: envelopeFromJson(r.envelope),
    receivedAt: r.received_at,
    attempts: r.attempts,
  };
}

export function outboxFromRow(r: OutboxRow): OutboxJob {
  return {
    id: r.id,
    messageId: r.message_id,
    conversationId: r.conversation_id,
    channel: r.channel,
    destination: r.destination,
    dueAt: r.due_at,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at,
    attemptedAt: r.attempted_at,
  };
}

export function deadLetterFromRow(r: OutboxRow & { text: string }, customer: string): DeadLetter {
  return { ...outboxFromRow(r), text: r.text, failedAt: r.failed_at ?? r.created_at, customer };
}

export function timerFromRow(r: TimerRow): Timer {
  return {
    id: r.id,
    kind: r.kind,
    conversationId: r.conversation_id,
    dueAt: r.due_at,
    payload: fromJson(r.payload),
    key: r.key,
    attempts: r.attempts,
  };
}
