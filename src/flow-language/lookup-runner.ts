import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { withDemoOrders } from './demo-orders.ts';

/**
 * Calls a business endpoint for a `lookup` step outside any database
 * transaction. The step's timer starts a request here; when it settles, the
 * outcome is handed to `onOutcome`, which writes it in a transaction of its
 * own. A request that never settles (a crash, a hung socket) is covered by the
 * step's guard timer, so a flow never stays stuck.
 */

export interface LookupRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface LookupTask {
  conversationId: string;
  runId: string;
  token: string;
  attempt: number;
  request: LookupRequest;
  timeoutMs: number;
}

/** `found` (2xx with JSON), `not_found` (404, 410, 400, 422), `failed` (other 4xx: no retry), `transient` (retry). */
export type LookupOutcome =
  | { kind: 'found'; data: unknown }
  | { kind: 'not_found'; status: number }
  | { kind: 'failed'; reason: string }
  | { kind: 'transient'; reason: string };

export interface LookupResponse {
  status: number;
  text(): Promise<string>;
}

/** The fetch the runner uses: the global fetch in production, a scripted fake in transcripts. */
export type LookupFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
) => Promise<LookupResponse>;

export interface LookupRunner {
  begin(task: LookupTask): void;
  /** Waits until every request that has settled has been written; returns how many writes it waited for. */
  idle(): Promise<number>;
  /** Aborts requests in flight without recording them (their guard timers retry after a restart); waits for writes. */
  stop(): Promise<void>;
}

const MAX_BODY = 256 * 1024;

export function createLookupRunner(o: {
  clock: Clock;
  log: Logger;
  fetch?: LookupFetch;
  onOutcome: (task: LookupTask, outcome: LookupOutcome) => Promise<void>;
}): LookupRunner {
  const doFetch: LookupFetch = o.fetch ?? withDemoOrders((url, init) => fetch(url, init));
  const inFlight = new Set<AbortController>();
  const writing = new Set<Promise<void>>();
  let stopping = false;

  async function call(task: LookupTask, controller: AbortController): Promise<LookupOutcome> {
    const cancelTimeout = o.clock.after(task.timeoutMs, () => controller.abort(new Error('timed out')));
    try {
      const { request } = task;
      const res = await doFetch(request.url, {
        method: request.method,
        headers: { accept: 'application/json', ...request.headers },
        ...(request.body !== undefined ? { body: request.body } : {}),
        signal: controller.signal,
      });
      const text = (await res.text()).slice(0, MAX_BODY);
      if (res.status >= 200 && res.status < 300) {
        try {
          return { kind: 'found', data: text.trim() === '' ? {} : JSON.parse(text) };
        } catch {
          return { kind: 'transient', reason: `answer ${res.status} is not JSON` };
        }
      }
      if ([400, 404, 410, 422].includes(res.status)) return { kind: 'not_found', status: res.status };
      if (res.status === 429 || res.status >= 500) return { kind: 'transient', reason: `HTTP ${res.status}` };
      return { kind: 'failed', reason: `HTTP ${res.status}` };
    } catch (err) {
      const reason = controller.signal.aborted ? `no answer within ${task.timeoutMs} ms` : (err as Error).message;
      return { kind: 'transient', reason };
    } finally {
      cancelTimeout();
    }
  }

  return {
    begin(task) {
      const controller = new AbortController();
      inFlight.add(controller);
      void call(task, controller).then((outcome) => {
        inFlight.delete(controller);
        if (stopping) return;
        if (outcome.kind === 'transient' || outcome.kind === 'failed') {
          o.log.warn({ url: task.request.url, attempt: task.attempt, outcome }, 'flow lookup failed');
        }
        const write = o
          .onOutcome(task, outcome)
          .catch((err) =>
            o.log.error(
              { err, conversationId: task.conversationId },
              'recording a lookup outcome failed; its guard timer retries',
            ),
          )
          .finally(() => writing.delete(write));
        writing.add(write);
      });
    },
    async idle() {
      let waited = 0;
      for (let i = 0; i < 100 && writing.size > 0; i++) {
        waited += writing.size;
        await Promise.all([...writing]);
      }
      return waited;
    },
    async stop() {
      stopping = true;
      for (const c of inFlight) c.abort(new Error('shutting down'));
      for (let i = 0; i < 100 && writing.size > 0; i++) await Promise.all([...writing]);
    },
  };
}
