import { type Middleware, run } from '../composer.ts';
import { badRequest } from '../errors.ts';
import type { Attachment, Contact, Conversation, Message } from '../model/types.ts';
import type { StoreTx } from '../store/contract.ts';
import { consentChannels, consentOnFile } from './consent-on-file.ts';
import { builtInPublicGuard, divertRefused, type PublicSendGuard } from './public-guard.ts';
import type { TemplatePart } from './templates.ts';

/**
 * Where a thread's messages go, as the channel's adapter sees it: a destination
 * on the same channel, or another channel and destination when the channel
 * replies elsewhere (`replyVia`); null when the channel is not loaded.
 */
export type DestinationOf = (
  channel: string,
  threadKey: string,
  replyRef: Record<string, unknown> | null,
) => string | { channel: string; destination: string } | null;

export interface ReplyInput {
  conversation: Conversation;
  contact: Contact;
  text: string;
  author: Message['author'];
  /** An agent's internal note: stored, shown to agents, never sent. */
  internal?: boolean;
  subject?: string;
  /** Channel-neutral rich parts (choices rendered as buttons where the channel can). */
  parts?: unknown[];
  /** Files an agent sends with the text (kept in the blob store). */
  attachments?: Attachment[];
  /** The template the text was rendered from, named when a channel's rule refuses it. */
  templateId?: string;
  /** Its approved WhatsApp template, sent instead of the text when the reply window is closed. */
  whatsappTemplate?: TemplatePart;
  /**
   * Not marketing a customer must consent to: the customer asked for this very message (a one-time
   * code to what is on file), or it pages the business's own staff.
   */
  requested?: boolean;
}

/** One outgoing message on its way through the rules: what they decided so far. */
export interface OutboundDraft {
  readonly input: ReplyInput;
  /** The decision's transaction, for rules that read the store (suppressed addresses). */
  readonly tx: Pick<StoreTx, 'suppressed'>;
  readonly now: number;
  /**
   * We write first on a channel that needs consent (the customer never wrote in
   * this conversation): whether their consent is on file; null when not asked.
   */
  readonly consented: boolean | null;
  /** Marketing (a broadcast, a template marked so): refused to a contact who unsubscribed from it. */
  readonly marketing: boolean;
  /** The approved template sent instead of the text (the reply window is closed). */
  template: TemplatePart | null;
  status: 'queued' | 'sent' | 'failed';
  visibility: 'customer' | 'internal';
  error: string | null;
  /** Kept from the public touchpoint and delivered privately instead (the guard's reason). */
  divert: string | null;
  /** Where the outbox sends it; null: recorded, not sent. */
  route: { channel: string; destination: string } | null;
}

/** A rule goes on with `next()`, or ends the chain having decided the message's fate. */
export type OutboundRule = Middleware<OutboundDraft>;

/** The one place an outgoing message is decided: the rules run, then it is stored and, when routed, queued. */
export interface Outbound {
  send(tx: StoreTx, input: ReplyInput, now: number): Promise<Message>;
}

export function optedOut(contact: Contact, channel: string): boolean {
  return contact.optOuts.includes('*') || contact.optOuts.includes(channel);
}

/** The opt-out of marketing only on a channel (List-Unsubscribe): answers and support still go. */
export const marketingOptOut = (channel: string) => `${channel}:marketing`;

/** An agent's internal note is stored as sent and goes nowhere. */
export const internalNoteRule: OutboundRule = (d, next) => {
  if (d.input.internal !== true) return next();
  d.status = 'sent';
  d.visibility = 'internal';
};

/**
 * On a public touchpoint the guard refuses text holding personal data: it is
 * kept as an internal note and delivered on a private route instead (the
 * `handoff.divert` timer, written in the same transaction).
 */
export function publicGuardRule(guard: PublicSendGuard): OutboundRule {
  return (d, next) => {
    if (d.input.conversation.touchpoint.visibility !== 'public') return next();
    const refused = guard.inspect(d.input.text);
    if (!refused) return next();
    d.status = 'failed';
    d.visibility = 'internal';
    d.error = `refused on a public touchpoint: ${refused}`;
    d.divert = refused;
  };
}

/** Nothing is sent on a channel the contact opted out of; the message is recorded as failed. */
export const consentRule: OutboundRule = (d, next) => {
  const channel = d.input.conversation.touchpoint.channel;
  const unsubscribed = d.marketing && d.input.contact.optOuts.includes(marketingOptOut(channel));
  if (!optedOut(d.input.contact, channel) && !unsubscribed) return next();
  d.status = 'failed';
  d.error = unsubscribed ? `contact unsubscribed from marketing on ${channel}` : `contact opted out of ${channel}`;
};

/**
 * We write first (the customer never wrote in this conversation) on a channel
 * that needs consent: without recorded consent the message is refused, with why.
 */
export const firstContactConsentRule: OutboundRule = (d, next) => {
  if (d.consented !== false) return next();
  const channel = d.input.conversation.touchpoint.channel;
  d.status = 'failed';
  d.error = `no recorded consent to write first on ${channel}: the customer has not written to us there and has not agreed to messages on ${channel} (record it with the event's consent, or POST /api/contacts/{id}/consent)`;
};

const HOUR_MS = 3_600_000;

/**
 * A channel with a reply window (WhatsApp: 24 hours after the customer's last
 * message) takes free text only inside it; outside, the reply goes as its
 * template's approved version, or is refused with why.
 */
export function replyWindowRule(windowHoursOf: (channel: string) => number | null): OutboundRule {
  return (d, next) => {
    const { conversation, whatsappTemplate, templateId } = d.input;
    const channel = conversation.touchpoint.channel;
    const hours = windowHoursOf(channel);
    const last = conversation.lastInboundAt;
    if (hours === null || (last !== null && d.now - last <= hours * HOUR_MS)) return next();
    if (whatsappTemplate) {
      d.template = whatsappTemplate;
      return next();
    }
    const since =
      last === null ? 'the customer has not written here' : `their last message came ${new Date(last).toISOString()}`;
    const fix = templateId
      ? `give template "${templateId}" an approved whatsapp: { contentSid, variables } in templates.yaml`
      : 'send a template that has an approved whatsapp: { contentSid } in templates.yaml';
    d.status = 'failed';
    d.error = `${channel} reply window closed: free text goes out only within ${hours} h of the customer's last message, and ${since}; ${fix}`;
  };
}

/**
 * Files go only where the channel carries them: otherwise the whole reply is
 * refused with the reason (the agent sees it on the desk and can send a link),
 * rather than the text going out without what it refers to.
 */
export function attachmentsRule(
  carriesFiles: (channel: string) => boolean,
  fileRefusal: (channel: string, file: Attachment) => string | null = () => null,
): OutboundRule {
  return (d, next) => {
    const files = d.input.attachments ?? [];
    const channel = d.input.conversation.touchpoint.channel;
    if (files.length > 0 && d.visibility === 'customer' && !carriesFiles(channel)) {
      throw badRequest(`the ${channel} channel cannot carry files; send the text alone, or a link`);
    }
    if (d.visibility === 'customer') {
      for (const file of files) {
        const why = fileRefusal(channel, file);
        if (why) throw badRequest(`the ${channel} channel cannot carry ${file.name ?? 'this file'}: ${why}`);
      }
    }
    return next();
  };
}

/** The destination the channel's adapter names, or another channel's when it replies elsewhere. */
export function destinationRule(destinationOf: DestinationOf): OutboundRule {
  return (d, next) => {
    const { conversation } = d.input;
    const channel = conversation.touchpoint.channel;
    const route = destinationOf(channel, conversation.threadKey, conversation.replyRef) ?? conversation.threadKey;
    d.route = typeof route === 'string' ? { channel, destination: route } : route;
    return next();
  };
}

export interface OutboundOptions {
  destinationOf: DestinationOf;
  /** The configured public-send guard (handoff.yaml); the built-in detectors otherwise. */
  guard?: PublicSendGuard | undefined;
  /** The channel's reply window in hours (its adapter's `replyWindowHours`), or null. */
  windowHoursOf?: ((channel: string) => number | null) | undefined;
  /** Channels we write first on only with recorded consent (contacts.yaml); SMS always. */
  consentRequired?: readonly string[] | undefined;
  /** Whether the channel's adapter can send files (`capabilities.attachments`); all can when absent. */
  carriesFiles?: ((channel: string) => boolean) | undefined;
  /** Whether a message rendered from this template is marketing (broadcasts, templates.yaml `marketing: true`). */
  isMarketing?: ((templateId: string) => boolean) | undefined;
  /** Why the channel cannot carry this file (its type or size), or null (src/channel/file-limits.ts). */
  fileRefusal?: ((channel: string, file: Attachment) => string | null) | undefined;
}

/** An address that bounced for good gets nothing more: the message is recorded as failed, with why. */
export const suppressedRule: OutboundRule = async (d, next) => {
  const route = d.route;
  const why = route ? await d.tx.suppressed(route.channel, route.destination) : null;
  if (!route || !why) return next();
  d.status = 'failed';
  d.error = `${route.destination} is suppressed on ${route.channel} since ${new Date(why.at).toISOString()} (${why.reason})`;
  d.route = null;
};

/** The rules every outgoing message passes, in this order, bound once at start-up. */
export function outboundRules(o: OutboundOptions): OutboundRule[] {
  return [
    internalNoteRule,
    publicGuardRule(o.guard ?? builtInPublicGuard),
    consentRule,
    firstContactConsentRule,
    replyWindowRule(o.windowHoursOf ?? (() => null)),
    attachmentsRule(o.carriesFiles ?? (() => true), o.fileRefusal),
    destinationRule(o.destinationOf),
    suppressedRule,
  ];
}

export function createOutbound(o: OutboundOptions): Outbound {
  const rules = outboundRules(o);
  const needConsent = consentChannels(o.consentRequired ?? []);
  return {
    async send(tx, input, now) {
      const { conversation, contact } = input;
      const channel = conversation.touchpoint.channel;
      const first =
        conversation.lastInboundAt === null &&
        needConsent.has(channel) &&
        input.internal !== true &&
        input.requested !== true;
      const marketing = input.templateId !== undefined && o.isMarketing?.(input.templateId) === true;
      const draft: OutboundDraft = {
        input,
        tx,
        now,
        marketing,
        consented: first ? await consentOnFile(tx, contact.id, channel) : null,
        template: null,
        // Stryker disable next-line StringLiteral: every message ends either routed (stored as queued) or with a rule's own status
        status: 'queued',
        visibility: 'customer',
        error: null,
        divert: null,
        route: null,
      };
      await run(rules, draft);
      const message = await tx.insertMessage(
        {
          conversationId: conversation.id,
          direction: 'outbound',
          author: input.author,
          text: input.text,
          attachments: input.attachments ?? [],
          providerId: null,
          status: draft.route ? 'queued' : draft.status,
          visibility: draft.visibility,
          error: draft.error,
          replyRef: conversation.replyRef,
          ...partsOf(input, draft.template, marketing),
        },
        now,
      );
      if (draft.divert) {
        const payload = { messageId: message.id, text: input.text, author: input.author, reason: draft.divert };
        await divertRefused(tx, conversation.id, payload, now);
      }
      if (draft.route)
        await tx.enqueueOutbound(
          { messageId: message.id, conversationId: conversation.id, ...draft.route, dueAt: now },
          now,
          {
            message,
            conversation,
          },
        );
      return message;
    },
  };
}

/** The part that marks a message as marketing: channels that can (email's List-Unsubscribe) offer a way out. */
export const MARKETING_PART = { type: 'marketing' } as const;

function partsOf(input: ReplyInput, template: TemplatePart | null, marketing: boolean): { parts?: unknown[] } {
  const parts = [
    ...(input.subject ? [{ type: 'subject', text: input.subject }] : []),
    ...(marketing ? [MARKETING_PART] : []),
    ...(template ? [template] : (input.parts ?? [])),
  ];
  return parts.length > 0 ? { parts } : {};
}
