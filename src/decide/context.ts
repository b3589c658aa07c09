import type { Middleware } from '../composer.ts';
import type { Contact, Conversation, Envelope, IdentityRef, Message } from '../model/types.ts';
import type { TemplatePart } from '../outbound/templates.ts';
import type { Settings } from '../settings/types.ts';
import type { ContactPatch, ConversationPatch, NewTimer } from '../store/contract.ts';
import type { Crisis } from '../store/operations-records.ts';
import type { Classification } from './classify.ts';

export interface PlannedReply {
  text: string;
  templateId?: string;
  subject?: string;
  /** Channel-neutral rich parts (`{type:'choices', options}`) for channels that render them. */
  parts?: unknown[];
  /** The template's approved WhatsApp version, for when the reply window is closed. */
  whatsapp?: TemplatePart;
  author: 'bot' | 'system';
  /** A note for the agents in the thread, never sent to the customer. */
  internal?: boolean;
}

export interface RaisedEvent {
  type: string;
  data?: Record<string, unknown>;
}

/**
 * What one automatic decision about a conversation knows and decides, whether
 * an inbound message, a timer or a business event caused it. The caller writes
 * every decision in the transaction it runs in.
 */
export interface DecisionContext {
  readonly now: number;
  readonly settings: Settings;
  readonly contact: Contact;
  readonly conversation: Conversation;
  classification: Classification | null;
  replies: PlannedReply[];
  patch: ConversationPatch;
  /** Changes to the contact (attributes, language), merged over `contact`. */
  contactPatch: ContactPatch;
  timers: NewTimer[];
  /** Keys of pending timers to cancel (written before `timers`, so a key can be cancelled and set again). */
  cancelTimers: string[];
  /** Business events raised for other parts of the system (`handoff`, `move-to-private`, `csat` …). */
  events: RaisedEvent[];
  /** Identities the customer proved (a verify step's code): joined to the contact, or suggested when another has them. */
  proven: IdentityRef[];
}

/**
 * What routing one inbound message knows and decides. Steps read the facts and
 * add decisions; the router writes all decisions in one transaction.
 */
export interface RouteContext extends DecisionContext {
  /** The message as the steps read it: its text is the analysed prefix (src/text/analysed.ts); `message` has all of it. */
  readonly envelope: Envelope;
  readonly message: Message;
  readonly isNewConversation: boolean;
  /** The crisis switched on when the message was routed (crisis mode), read in the routing transaction. */
  readonly crisis?: Crisis | null;
  /** Why the automatic part of the decision ended early, for the logs; null when every step ran. */
  silence: string | null;
}

/** A routing step: it goes on with `next()`, or ends the automatic part of the decision with `stop`. */
export type RouteStep = Middleware<RouteContext>;

/** Ends the automatic part of the decision: the steps after this one do not run; the settle phase still does. */
export function stop(ctx: RouteContext, reason: string): void {
  ctx.silence = reason;
}

/** A step that only looks and records, then always goes on. */
export function tap(fn: (ctx: RouteContext) => void | Promise<void>): RouteStep {
  return (ctx, next) => {
    const r = fn(ctx);
    return r instanceof Promise ? r.then(next) : next();
  };
}

/** The conversation as it will be once the patch is applied. */
export function current(ctx: DecisionContext): Conversation {
  return { ...ctx.conversation, ...ctx.patch } as Conversation;
}

/** The contact as it will be once the contact patch is applied. */
export function currentContact(ctx: DecisionContext): Contact {
  return { ...ctx.contact, ...ctx.contactPatch } as Contact;
}
