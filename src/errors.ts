/**
 * The one error taxonomy. Every error Touchpoint raises on purpose is a
 * TouchpointError with a stable machine-readable `code`; subclasses add what a
 * caller needs to act on it (an HTTP status, a retry delay, a file and line).
 */

export class TouchpointError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A request we refuse: answered with `status` and the message as the reason. */
export class HttpError extends TouchpointError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

export const badRequest = (reason: string, code = 'bad_request') => new HttpError(400, code, reason);
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
    super(`send_${failure}`, message, { cause: opts.cause });
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
