import twilio from 'twilio';
import { permanent, rateLimited, SendError, transient, uncertain } from '../../../src/channel/index.ts';
import type { ResponseProbe } from './client.ts';

/** Twilio error codes this adapter acts on. */
export const TWILIO = {
  tooManyRequests: 20429,
  /** The recipient replied STOP: never retry, record the opt-out. */
  optedOut: 21610,
  invalidTo: 21211,
  /** A free-form WhatsApp message outside the 24-hour window. */
  whatsappWindow: 63016,
} as const;

export const WINDOW_CLOSED = 'whatsapp_window_closed';

/** Used when a 429 carries no Retry-After. */
const DEFAULT_RETRY_MS = 1000;

interface ApiFailure {
  status: number;
  code: number | null;
  message: string;
}

/** Connection failures that happen before a request is written: Twilio cannot have received it. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Sorts a failed REST call into the outbox's three kinds: 429 or 20429 waits
 * for Retry-After, across the whole account (Twilio counts concurrent requests
 * per account); 5xx, network errors and time-outs back off and retry, and a
 * time-out or a lost connection is uncertain (a timed-out create may have
 * gone out: the retry looks it up first); every other 4xx is permanent, 21610
 * marking an opted-out recipient.
 */
export function toSendError(err: unknown, probe: ResponseProbe): SendError {
  if (err instanceof SendError) return err;
  const api = apiFailure(err);
  if (!api) {
    const reason = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown } | null)?.code;
    const what = `Twilio could not be reached: ${reason}`;
    return typeof code === 'string' && NOT_SENT.has(code) ? transient(what, err) : uncertain(what, err);
  }
  const what = `Twilio answered ${api.status}${api.code ? ` (error ${api.code})` : ''}: ${api.message}`;
  if (api.status === 429 || api.code === TWILIO.tooManyRequests) {
    return rateLimited(what, probe.retryAfterMs ?? DEFAULT_RETRY_MS, api.code ?? api.status, 'account');
  }
  if (api.code === TWILIO.optedOut) {
    return new SendError('permanent', `the recipient opted out (replied STOP); ${what}`, {
      providerCode: api.code,
      cause: err,
      optedOut: true,
    });
  }
  if (api.code === TWILIO.whatsappWindow)
    return permanent(`the WhatsApp 24-hour window is closed; ${what}`, WINDOW_CLOSED, err);
  if (api.status >= 500) return transient(what, err, api.code ?? api.status);
  return permanent(what, api.code ?? api.status, err);
}

/** RestException, or its RFC 9457 sibling TwilioServiceException (not exported by the package: recognised by shape). */
function apiFailure(err: unknown): ApiFailure | null {
  if (!(err instanceof Error)) return null;
  const e = err as Error & { status?: unknown; code?: unknown; title?: unknown; type?: unknown };
  const isRest = err instanceof twilio.RestException;
  const isProblem = typeof e.title === 'string' && typeof e.type === 'string';
  if (!(isRest || isProblem) || typeof e.status !== 'number') return null;
  return { status: e.status, code: typeof e.code === 'number' ? e.code : null, message: err.message };
}
