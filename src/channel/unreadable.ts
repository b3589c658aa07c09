import { HttpError } from '../errors.ts';
import type { ChannelHost } from './contract.ts';

/**
 * Signed payloads we cannot read. A provider redelivers what is not answered
 * with success, and an error that comes from the payload itself (a missing
 * field, a value of the wrong type, an envelope the core refuses) comes back
 * with every redelivery: such a payload is kept for inspection
 * (`ChannelHost.keepUnreadable`) and answered with success. What may pass
 * (the store is down) still fails the request, so that it is delivered again.
 */

interface Wrapping {
  original?: unknown;
  originals?: unknown[];
  cause?: unknown;
}

/** Errors that a library wraps around the one thrown inside it (Bolt's UnknownError, MultipleListenerError). */
function inner(err: unknown): unknown[] {
  if (!err || typeof err !== 'object') return [];
  const w = err as Wrapping;
  if (Array.isArray(w.originals)) return w.originals;
  if (w.original !== undefined) return [w.original];
  return [];
}

/** Whether `err` comes from the payload itself, so reading it again would fail the same way. */
export function failsEveryTime(err: unknown): boolean {
  const wrapped = inner(err);
  if (wrapped.length > 0) return wrapped.every(failsEveryTime);
  if (err instanceof HttpError) return err.status < 500;
  return (
    err instanceof TypeError ||
    err instanceof RangeError ||
    err instanceof SyntaxError ||
    (err instanceof Error && err.name === 'ZodError')
  );
}

/** The message of the error that the payload caused, for the kept record and the log. */
export function reasonOf(err: unknown): string {
  const wrapped = inner(err);
  if (wrapped.length > 0) return wrapped.map(reasonOf).join('; ');
  if (err instanceof HttpError) return err.message;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Runs `read` over a signed payload; when it fails because of the payload,
 * keeps the payload with the reason and resolves to null (answer the provider
 * with success then). Other failures are thrown.
 */
export async function readOrKeep<T>(
  host: Pick<ChannelHost, 'keepUnreadable'>,
  payload: Buffer | string,
  read: () => T | Promise<T>,
): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (!failsEveryTime(err)) throw err;
    await host.keepUnreadable(reasonOf(err), payload);
    return null;
  }
}
