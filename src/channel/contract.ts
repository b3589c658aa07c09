import type { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import type { Logger } from '../log.ts';
import type {
  Attachment,
  DeliveryStatus,
  Envelope,
  IdentityRef,
  Message,
  OutboundMessage,
  Touchpoint,
} from '../model/types.ts';
import type { DeskHost } from '../people/desk-events.ts';
import type { Exclusive, ExclusiveWork } from './exclusive.ts';
import type { MediaSource } from './safe-fetch.ts';

/**
 * The contract between the core and a channel adapter. The core never imports
 * an adapter: adapters are handed to it as AdapterDefinitions at start-up.
 */

/** What a channel can do; the core checks these instead of calling methods that would throw. */
export interface ChannelCapabilities {
  /** Replies can stay in a thread (email, Slack threads, Discord threads). */
  threads: boolean;
  /** The platform offers a private reply to a public post (Meta comment → DM). */
  privateReply: boolean;
  attachments: boolean;
  /** What one outgoing file may be on this channel; absent: any type and size the adapter takes. */
  fileLimits?: FileLimits;
  /** Buttons and cards from `parts` can be rendered. */
  richParts: boolean;
  /** Longest text one message may carry, or null when there is no practical limit. */
  maxTextLength: number | null;
  /**
   * Longest text the provider delivers in one inbound message, its own maximum (Slack 40,000
   * characters, an SMS 1,600); absent or null: no limit. A longer text is not stored: ingest
   * refuses it with a 413 HttpError, which a webhook keeps as unreadable (answered with success)
   * and the web chat returns to the browser.
   */
  maxInboundText?: number | null;
  /**
   * A repeated send of one outbox row reaches the customer once (email: the
   * same Message-ID, which mail clients show once; web chat: the stored message
   * itself): an attempt the core could not confirm is sent again without asking
   * the provider or flagging the conversation.
   */
  idempotentSend: boolean;
  /** Sends carry the provider ids of the conversation's earlier messages (`OutboundMessage.references`, for email threading). */
  references?: boolean;
  /**
   * Replies cannot go back on this channel itself and continue on another one
   * (a web form answers by email). The other adapter gets the thread as it is.
   */
  replyVia?: string;
  /**
   * Free text may go out only this many hours after the customer's last message
   * (WhatsApp's 24 hours); outside it only an approved template may. The
   * outbound chain applies it; absent: no such window.
   */
  replyWindowHours?: number;
}

/** The files a channel carries: a reply with any other is refused with the reason, before it is queued. */
export interface FileLimits {
  /** Largest file, in bytes. */
  maxBytes: number;
  /** Content types taken: exact (`application/pdf`) or a family (`image/*`); absent: any type. */
  types?: readonly string[];
}

/** Sending rate per destination, applied by the outbox's limiter (overridable in config). */
export interface RateLimit {
  /** Minimum time between two sends to one destination. */
  minTimeMs: number;
  /** Sends in flight at once to one destination. */
  maxConcurrent: number;
  /** Optional cap across all destinations of the channel: sends per second. */
  channelPerSecond?: number | null;
}

/** A conversation's last waiting reply, behind its sender's pace (src/outbox/queue-wait.ts), for the desk. */
export interface QueuedReply {
  messageId: string;
  channel: string;
  destination: string;
  dueAt: number;
  /** Replies due before it in its lane (sending number or account), and in its whole channel. */
  aheadInLane: number;
  aheadInChannel: number;
  /** Sends per second its lane is held to. */
  perSecond: number;
  expectedAt: number;
}

/** What adapters get for files: keep bytes they hold, read kept ones, link to them for a provider to fetch. */
export interface AttachmentFiles {
  /** Keeps bytes the adapter already has (an email's MIME part, a desk upload) and describes them. */
  keep(bytes: Uint8Array, contentType: string, name?: string): Promise<Attachment>;
  /** The bytes of a kept attachment; null when it was never kept or is gone. */
  read(a: Attachment): Promise<Buffer | null>;
  /** A signed, expiring public link to a kept attachment; null when it is not kept. */
  link(a: Attachment): string | null;
  /** Fetches a provider's file through the SSRF guard and keeps it; throws MediaError with the reason. */
  fetch(source: MediaSource, name?: string): Promise<Attachment>;
}

export interface SendResult {
  /** The provider's id for what was sent (null when the provider gives none). */
  providerId: string | null;
  /** `sent` unless the provider already confirms delivery. */
  status?: DeliveryStatus;
}

/**
 * A send attempt the core recorded but whose outcome it never learnt (a crash
 * between the provider's answer and the commit, a time-out).
 */
export interface UnconfirmedSend {
  /** When the first unconfirmed attempt started, by the core's clock. */
  since: number;
  /**
   * Provider ids the core has already recorded for this conversation's messages:
   * never the attempt's own, so a look-up must not count them as it.
   */
  knownProviderIds: readonly string[];
}

/**
 * What the provider says about an unconfirmed attempt: `sent` (it has the
 * message), `not-sent` (calling `send` now posts it once: nothing of it went
 * out, or `send` resumes after the parts that did), or `unknown` with why.
 */
export type SendCheck =
  | { state: 'sent'; providerId: string | null }
  | { state: 'not-sent' }
  | { state: 'unknown'; reason: string };

export interface IngestResult {
  /** False when (channel, providerId) was stored before: acknowledge, do nothing more. */
  stored: boolean;
  duplicate: boolean;
  eventId: string;
}

/** Durable key/value state an adapter keeps across restarts (an IMAP UID checkpoint, a gateway session). */
export interface ChannelState {
  get<T>(key: string): Promise<T | null>;
  set(key: string, value: unknown): Promise<void>;
}

/** What the core gives an adapter when it starts. */
export interface ChannelHost {
  /** Stores the event durably (deduplicated) and resolves only then: acknowledge the provider after this. */
  ingest(envelope: Envelope): Promise<IngestResult>;
  /**
   * Keeps a signed payload (or one event of a batch) that cannot be read, with
   * the reason, and logs it. Resolves once it is stored: then answer the
   * provider with success, so it does not deliver the payload again.
   */
  keepUnreadable(reason: string, payload: Buffer | string): Promise<void>;
  /** A provider's delivery report (status callback, read receipt, bounce). */
  updateDelivery(providerId: string, status: DeliveryStatus, error?: string | null): Promise<void>;
  /** The visible messages of a thread, oldest first: for channels the client pulls from (web chat). */
  history(threadKey: string, opts?: { afterId?: string | null; limit?: number }): Promise<Message[]>;
  /** The language of the thread's customer (detected from their words or set by a flow), for pages that declare it. */
  languageOf?(threadKey: string): Promise<string | null>;
  /** Calls `fn` for every message the core records on a thread of this channel (for push to live clients). */
  onMessage(fn: (threadKey: string, message: Message) => void): () => void;
  routes: RouteRegistry;
  state: ChannelState;
  log: Logger;
  clock: Clock;
  /**
   * Runs `work` on one router instance at a time (a mailbox's IDLE, a gateway
   * connection): it starts here when this instance takes the named lock and is
   * taken over by another instance when this one dies.
   */
  exclusive(name: string, work: ExclusiveWork): Promise<Exclusive>;
  /** The public base URL of this router (for building webhook URLs that signatures cover). */
  publicUrl: string;
  /** Whether the business is open at `at` (epoch ms) by its calendar, with this channel's hours; absent: no calendar. */
  isOpen?(at: number): boolean;
  /** Whether the business is open at `at` and, when closed, its next opening in words ("Tuesday at 7:30"). */
  availability?(at: number): { open: boolean; nextOpening: string | null };
  /** Kept files: keep bytes, read them, link to them (src/attachments/files.ts). */
  files?: AttachmentFiles;
  /** For an adapter that is also an agent desk (Slack): conversation notices, reads and agent actions. */
  desk?: DeskHost;
  /** Signed one-click unsubscribe links (RFC 8058) for marketing messages (those with a `{type: 'marketing'}` part). */
  unsubscribe?: { url(conversationId: string, channel: string): string };
}

/** A thread the core starts itself: a private conversation moved from a public one, a page to a person on call. */
export interface StartThreadRequest {
  /** Whom to reach: one of the person's identities (`email`, `phone`, `slack` …). */
  to: IdentityRef;
  /** Set for the platform's private reply to a public post (needs `capabilities.privateReply`): the post's thread. */
  privateReplyTo?: { threadKey: string; replyRef: Record<string, unknown> | null };
}

export interface StartedThread {
  threadKey: string;
  touchpoint: Touchpoint;
  /** What sends on this thread need, as the adapter would have written it from an inbound message. */
  replyRef: Record<string, unknown> | null;
}

export interface ChannelAdapter {
  readonly channel: string;
  readonly capabilities: ChannelCapabilities;
  readonly rateLimit: RateLimit;
  /** Registers routes, opens gateway connections. */
  start(host: ChannelHost): Promise<void>;
  /** Closes connections; in-flight sends are finished by the outbox before this is called. */
  stop(): Promise<void>;
  /** The rate-limit key of a thread: a phone number, a Slack channel id, a mailbox address. */
  destination(threadKey: string, replyRef: Record<string, unknown> | null): string;
  /**
   * The thread for a conversation the core starts, or null when this channel cannot reach
   * `to` (another kind of identity, no way to message first). Channels without it are never started from the core.
   */
  startThread?(request: StartThreadRequest): StartedThread | null;
  /**
   * One cheap call that proves the credentials work (Twilio's account, Slack's auth.test, Graph's `me`, an
   * SMTP login, Discord's own user): resolves with what it found, throws an Error saying what to fix.
   */
  checkCredentials?(): Promise<string>;
  /**
   * How to fetch an inbound attachment's bytes: its URL with the provider's credentials, the hosts it
   * may come from, the types and size this channel takes. Null (or no method): it is not fetched.
   * A promise where the credentials must be fetched first (Bot Framework's connector token).
   */
  mediaSource?(attachment: Attachment): MediaSource | null | Promise<MediaSource | null>;
  /** Delivers one message. Throws SendError (rate_limited, transient, permanent) on failure. */
  send(message: OutboundMessage): Promise<SendResult>;
  /**
   * Asks the provider whether an unconfirmed attempt to send `message` went
   * out, before the core sends it again. Answers `unknown` rather than guess;
   * throws SendError when the provider cannot be asked now (tried again later).
   */
  reconcile?(message: OutboundMessage, attempt: UnconfirmedSend): Promise<SendCheck>;
}

/** What the rest of the configuration can produce, for an adapter's own cross-checks. */
export interface ConfigFacts {
  /** Categories intents and flows can set. */
  categories: ReadonlySet<string>;
  /** Teams flows hand off to. */
  teams: ReadonlySet<string>;
  enabledChannels: ReadonlySet<string>;
}

/** What an adapter package exports: its settings schema and a factory. */
export interface AdapterDefinition<S = unknown> {
  channel: string;
  /** Schema of this channel's section in `config/channels.yaml`. */
  settings: z.ZodType<S>;
  /** Settings that refer to the rest of the configuration (desk routes by category): checked by `check`. */
  crossCheck?(settings: S, facts: ConfigFacts): Array<{ path: PropertyKey[]; message: string; fix: string }>;
  /** The channel its replies go out on (`capabilities.replyVia`): `check` refuses this one enabled without it. */
  replyVia?: string;
  /** Loads the adapter's code (and its SDK) only when the channel is enabled. */
  create(settings: S, deps: { log: Logger; clock: Clock }): Promise<ChannelAdapter>;
}

// biome-ignore lint/suspicious/noExplicitAny: each channel has its own settings type
export type AdapterRegistry = Record<string, AdapterDefinition<any>>;
