/**
 * The one error taxonomy. Every error Touchpoint raises on purpose is a
 * TouchpointError with a stable machine-readable `code` from `ErrorCode`;
 * subclasses add what a caller needs to act on it (an HTTP status, a retry
 * delay, a file and line).
 */

/** Every code an error may carry: callers, HTTP answers and logs match on these, so they never change meaning. */
export const ErrorCode = {
  // Requests we refuse (HttpError).
  BadRequest: 'bad_request',
  InvalidJson: 'invalid_json',
  InvalidRequest: 'invalid_request',
  InvalidEnvelope: 'invalid_envelope',
  MissingSignature: 'missing_signature',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  NotPublic: 'not_public',
  UnknownFlow: 'unknown_flow',
  NoFlows: 'no_flows',
  NoConversation: 'no_conversation',
  ConversationClosed: 'conversation_closed',
  ConversationNotLive: 'conversation_not_live',
  PayloadTooLarge: 'payload_too_large',
  // The desk's procedure: a resolution's disposition (desk.yaml).
  UnknownDisposition: 'unknown_disposition',
  DispositionRequired: 'disposition_required',
  // QA reviews: scores that do not match the rubric.
  InvalidScores: 'invalid_scores',
  // Contacts: merges, identities, suggestions.
  MergeIntoItself: 'merge_into_itself',
  ContactMerged: 'contact_merged',
  InvalidIdentity: 'invalid_identity',
  IdentityTaken: 'identity_taken',
  NoIdentity: 'no_identity',
  // First contact: no channel the rules allow can reach the contact.
  Unreachable: 'unreachable',
  SuggestionDecided: 'suggestion_decided',
  // AI-drafted replies: the drafting endpoint failed, timed out, or drafts are off.
  DraftFailed: 'draft_failed',
  DraftsOff: 'drafts_off',
  // Broadcasts: a pause, resume or cancel the broadcast's status does not allow; a channel not enabled;
  // a segment's known issue that is not one here.
  BroadcastState: 'broadcast_state',
  UnknownChannel: 'unknown_channel',
  UnknownBug: 'unknown_bug',
  // Agent accounts.
  AgentExists: 'agent_exists',
  UnsupportedMediaType: 'unsupported_media_type',
  RateLimited: 'rate_limited',
  TooManyConnections: 'too_many_connections',
  TooManyRequestsInFlight: 'too_many_requests_in_flight',
  ShuttingDown: 'shutting_down',
  // The HTTP server and its clients.
  ListenFailed: 'listen_failed',
  ClientGone: 'client_gone',
  // Business config, flows, templates and calendars.
  ConfigInvalid: 'config_invalid',
  TemplateMissing: 'template_missing',
  CalendarIcsMissing: 'calendar_ics_missing',
  InvalidArgument: 'invalid_argument',
  // Sends (SendError), by what the outbox does next; provider answers an adapter sorts into them.
  SendRateLimited: 'send_rate_limited',
  SendTransient: 'send_transient',
  SendPermanent: 'send_permanent',
  ProviderFailed: 'provider_failed',
  // the bug tracker (src/bugs)
  TrackerUnreachable: 'tracker_unreachable',
  TrackerRefused: 'tracker_refused',
  NoTracker: 'no_tracker',
  Deferred: 'deferred',
  DestinationHeld: 'destination_held',
  // Fetching an attachment from its provider (MediaError).
  MediaRefused: 'media_refused',
  MediaUnavailable: 'media_unavailable',
  // The store (StoreError).
  StoreUnavailable: 'store_unavailable',
  StoreBadUrl: 'store_bad_url',
  StoreMigrationFailed: 'store_migration_failed',
  StoreSchemaNewer: 'store_schema_newer',
  StoreBadLimit: 'store_bad_limit',
  StoreBadLease: 'store_bad_lease',
  StoreBadInbound: 'store_bad_inbound',
  StoreIdentityTaken: 'store_identity_taken',
  DataDirInUse: 'data_dir_in_use',
  NoStore: 'no_store',
  RouterUnreachable: 'router_unreachable',
  // The translation endpoint (business.yaml translation) failed or answered nonsense.
  TranslationFailed: 'translation_failed',
  // The command line.
  Usage: 'usage',
  // Anything not raised on purpose, answered without its details (they are logged).
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class TouchpointError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export class HttpError extends TouchpointError {
  readonly status: number;
  constructor(status: number, code: ErrorCode, message: string) {
    super(code, message);
    this.status = status;
  }
}

export const badRequest = (reason: string, code: ErrorCode = 'bad_request') => new HttpError(400, code, reason);
export const unauthorized = (reason: string) => new HttpError(401, 'unauthorized', reason);
export const forbidden = (reason: string) => new HttpError(403, 'forbidden', reason);
export const notFound = (reason: string) => new HttpError(404, 'not_found', reason);

export interface ConfigProblem {
  file: string;
  line: number | null;
  column?: number | null;
  /** The setting's path inside the file, e.g. `channels.webchat.enabled`. */
  path?: string;
  message: string;
  /** What to change to make it right. */
  fix: string;
}

/** One or more problems in the business's config or flow files. */
export class ConfigError extends TouchpointError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super('config_invalid', problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line == null ? p.file : `${p.file}:${p.line}${p.column ? `:${p.column}` : ''}`;
  const path = p.path ? ` (${p.path})` : '';
  return `${where}${path}: ${p.message}. Fix: ${p.fix}`;
}

/**
 * Why a send failed, which decides what the outbox does next:
 * - `rate_limited`: wait `retryAfterMs` and try again, without counting an attempt against the budget;
 * - `transient`: back off with jitter and try again;
 * - `permanent`: never retry; the message is dead-lettered and agents are told.
 */
export type SendFailure = 'rate_limited' | 'transient' | 'permanent';

const SEND_CODES = {
  rate_limited: 'send_rate_limited',
  transient: 'send_transient',
  permanent: 'send_permanent',
} as const satisfies Record<SendFailure, ErrorCode>;

/**
 * What a rate limit covers: the destination (one sending number, one Slack
 * channel) or the whole account behind the channel (Twilio's 20429 counts
 * every request of the account), when nothing of the channel may go out.
 */
export type HoldScope = 'destination' | 'account';

export class SendError extends TouchpointError {
  readonly failure: SendFailure;
  readonly retryAfterMs: number | null;
  /** The provider's own error code (Twilio 21610, Slack `channel_not_found` …). */
  readonly providerCode: string | null;
  /** The provider says the recipient opted out (Twilio 21610): the core records it, so nothing more is tried. */
  readonly optedOut: boolean;
  /** For `rate_limited`: what the wait covers. */
  readonly scope: HoldScope;
  /**
   * The request may have reached the provider (a time-out, a connection lost
   * after the request was written): the next attempt asks the provider first
   * (ChannelAdapter.reconcile) instead of sending blind.
   */
  readonly uncertain: boolean;
  constructor(
    failure: SendFailure,
    message: string,
    opts: {
      retryAfterMs?: number | null;
      providerCode?: string | number | null;
      cause?: unknown;
      optedOut?: boolean;
      scope?: HoldScope;
      uncertain?: boolean;
    } = {},
  ) {
    super(SEND_CODES[failure], message, { cause: opts.cause });
    this.failure = failure;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.providerCode = opts.providerCode == null ? null : String(opts.providerCode);
    this.optedOut = opts.optedOut === true;
    this.scope = opts.scope ?? 'destination';
    this.uncertain = opts.uncertain === true;
  }
}

export const rateLimited = (
  message: string,
  retryAfterMs: number | null,
  providerCode?: string | number,
  scope: HoldScope = 'destination',
) => new SendError('rate_limited', message, { retryAfterMs, providerCode: providerCode ?? null, scope });
export const transient = (message: string, cause?: unknown, providerCode?: string | number) =>
  new SendError('transient', message, { cause, providerCode: providerCode ?? null });
/** A transient failure after which the message may or may not have gone out (a time-out, a reset). */
export const uncertain = (message: string, cause?: unknown, providerCode?: string | number) =>
  new SendError('transient', message, { cause, providerCode: providerCode ?? null, uncertain: true });
export const permanent = (message: string, providerCode?: string | number, cause?: unknown) =>
  new SendError('permanent', message, { providerCode: providerCode ?? null, cause });

/** The request was aborted by the client while its body was being read: nobody is left to answer. */
export class ClientGone extends TouchpointError {
  constructor(message: string) {
    super('client_gone', message);
  }
}

/** A flow or rule names a template the business has not defined. */
export class TemplateMissing extends TouchpointError {
  constructor(message: string) {
    super('template_missing', message);
  }
}

/**
 * A send reached its turn in the rate limiter while its destination (or the
 * whole channel) was held after a provider's rate limit: it did not go out
 * and may be tried from `until` on.
 */
export class HeldError extends TouchpointError {
  readonly until: number;
  constructor(channel: string, destination: string, until: number) {
    super('destination_held', `${channel} to ${destination} is held until ${new Date(until).toISOString()}`);
    this.until = until;
  }
}

/** The translation endpoint could not translate: unreachable, an error status, or an answer without text. */
export class TranslationFailed extends TouchpointError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('translation_failed', message, options);
  }
}

/**
 * Fetching an attachment failed: `media_refused` is final (a host or address
 * the guard does not allow, too large, a type the channel does not take, the
 * provider says no), `media_unavailable` may pass (a time-out, a 5xx, a 429).
 */
export class MediaError extends TouchpointError {
  get final(): boolean {
    return this.code === 'media_refused';
  }
}

export const mediaRefused = (reason: string) => new MediaError('media_refused', reason);
export const mediaUnavailable = (reason: string, cause?: unknown) =>
  new MediaError('media_unavailable', reason, { cause });

/** A failure of the store itself (migration, connection). */
export class StoreError extends TouchpointError {}

/**
 * Turns anything thrown by an adapter into a SendError. An error the adapter
 * did not classify leaves open whether the message went out: transient and uncertain.
 */
export function asSendError(err: unknown): SendError {
  if (err instanceof SendError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return uncertain(message, err);
}
