import type { Contact, Conversation, Envelope, Message } from '../model/types.ts';
import type { Settings } from '../settings/types.ts';
import type { ConversationPatch, NewTimer } from '../store/contract.ts';
import type { Classification } from './classify.ts';

export interface PlannedReply {
  text: string;
  templateId?: string;
  subject?: string;
  author: 'bot' | 'system';
}

/**
 * What routing one inbound message knows and decides. Hooks read the facts and
 * add decisions; the router writes all decisions in one transaction.
 */
export interface RouteContext {
  readonly now: number;
  readonly settings: Settings;
  readonly envelope: Envelope;
  readonly contact: Contact;
  readonly conversation: Conversation;
  readonly message: Message;
  readonly isNewConversation: boolean;
  classification: Classification | null;
  replies: PlannedReply[];
  patch: ConversationPatch;
  timers: NewTimer[];
  /** Set when no automatic answer may go out, with the reason (kept in logs). */
  silence: string | null;
  /** Business events raised for other parts of the system (`handoff`, …). */
  events: Array<{ type: string; data?: Record<string, unknown> }>;
}

export type RouteHook = (ctx: RouteContext) => void | Promise<void>;

/** Runs hooks in order; a hook that sets `silence` ends the automatic part of the decision. */
export async function runHooks(hooks: RouteHook[], ctx: RouteContext): Promise<void> {
  for (const hook of hooks) {
    await hook(ctx);
    if (ctx.silence) return;
  }
}

/** The conversation as it will be once the patch is applied. */
export function current(ctx: RouteContext): Conversation {
  return { ...ctx.conversation, ...ctx.patch } as Conversation;
}
