import type { WebhookDelivery } from '../store/webhook-deliveries.ts';
import { SIGNATURE_HEADER, signatureHeader } from './signature.ts';

export interface Receiver {
  url: string;
  secret: string;
}

export type PostOutcome =
  | { ok: true; status: number }
  /** `retryAfterMs`: the receiver asked for a pause (429 or 503 with Retry-After). */
  | { ok: false; error: string; retryAfterMs: number | null };

/** One signed POST of a delivery's body; any 2xx is taken, anything else (or no answer in time) is retried. */
export async function postDelivery(receiver: Receiver, d: WebhookDelivery, timeoutMs: number): Promise<PostOutcome> {
  // The wall clock, not the router's: the receiver compares it with its own to refuse replays.
  const t = Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(receiver.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Touchpoint-Webhooks/1',
        [SIGNATURE_HEADER]: signatureHeader(receiver.secret, t, d.body),
        'touchpoint-event': d.eventType,
        'touchpoint-event-id': d.eventId,
      },
      body: d.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body is not needed; reading it frees the connection.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, error: `the receiver answered ${res.status}`, retryAfterMs: retryAfter(res.headers) };
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
    const reason = timedOut ? `no answer within ${timeoutMs} ms` : `could not reach the receiver: ${describe(err)}`;
    return { ok: false, error: reason, retryAfterMs: null };
  }
}

function retryAfter(headers: Headers): number | null {
  const v = headers.get('retry-after');
  if (!v) return null;
  const s = Number(v);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.message}${cause}`;
}
