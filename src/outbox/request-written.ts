import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

/**
 * When a send's provider call really goes out: Node announces every HTTP
 * client request on a diagnostics channel as it gets its socket, in the
 * caller's async context, so the request an adapter's client makes inside
 * `whenWritten` is known as that send's, and its `finish` (the request handed
 * to the operating system) is the moment the provider's clock starts counting
 * it. A send that makes no HTTP request (SMTP, a test adapter) is never told.
 */
const sends = new AsyncLocalStorage<() => void>();
let listening = false;

function onRequest(message: unknown): void {
  const written = sends.getStore();
  if (written) (message as { request: ClientRequest }).request.once('finish', written);
}

/** Runs `fn`, calling `onWritten` once, when the first HTTP request it makes has been written. */
export function whenWritten<T>(onWritten: () => void, fn: () => Promise<T>): Promise<T> {
  if (!listening) {
    listening = true;
    subscribe('http.client.request.start', onRequest);
  }
  let told = false;
  const once = () => {
    if (told) return;
    told = true;
    onWritten();
  };
  return sends.run(once, fn);
}
