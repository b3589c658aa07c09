import type { IncomingMessage } from 'node:http';
import { type Clock, systemClock } from '../clock.ts';
import { HttpError } from '../errors.ts';
import type { Logger } from '../log.ts';

/** At most one log line per path and reason in this window; the ones in between are counted. */
const WINDOW_MS = 60_000;

/**
 * Logs webhooks refused as unauthenticated (401, 403): a wrong auth token or a
 * proxy that changes the URL otherwise fails without a trace. Each line names
 * the reason and the URL a provider's signature is computed over; repeats are
 * rate-limited per path and reason, so a flood costs one line a minute.
 */
export function createRejectionLog(log: Logger, clock: Clock = systemClock) {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (err: unknown, req: IncomingMessage, path: string, signedUrl: string): void => {
    if (!(err instanceof HttpError) || (err.status !== 401 && err.status !== 403)) return;
    const key = `${path} ${err.message}`;
    const now = clock.now();
    const seen = last.get(key);
    if (seen && now - seen.at < WINDOW_MS) {
      seen.suppressed++;
      return;
    }
    if (last.size > 1000) last.clear();
    last.set(key, { at: now, suppressed: 0 });
    log.warn(
      {
        status: err.status,
        reason: err.message,
        method: req.method,
        path,
        signedUrl,
        ...(seen?.suppressed ? { suppressedSinceLast: seen.suppressed } : {}),
      },
      `webhook refused (${err.status}) on ${path}: ${err.message}; the signature was checked against ${signedUrl} (set server.publicUrl when a proxy changes the address)`,
    );
  };
}
