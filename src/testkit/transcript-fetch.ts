import type { LookupFetch } from '../flow-language/lookup-runner.ts';
import type { LookupReply } from './transcript-schema.ts';

/**
 * The business's HTTP endpoints as a transcript scripts them: a listed path
 * answers with its status and JSON body (or never, until the request is
 * aborted); anything else is 404. `hanging` counts requests left unanswered.
 */
export function fakeFetch(replies: LookupReply[]): { fetch: LookupFetch; hanging: () => number } {
  let hanging = 0;
  const fetch: LookupFetch = (url, init) => {
    const path = new URL(url).pathname;
    const reply = replies.find((r) => r.method === init.method && (path === r.path || path.endsWith(r.path)));
    if (reply?.hang) {
      hanging++;
      return new Promise((_resolve, reject) => {
        init.signal.addEventListener('abort', () => {
          hanging--;
          reject(init.signal.reason);
        });
      });
    }
    const status = reply?.status ?? 404;
    const body = reply?.body === undefined ? '' : JSON.stringify(reply.body);
    return Promise.resolve({ status, text: async () => body });
  };
  return { fetch, hanging: () => hanging };
}
