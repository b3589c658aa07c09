import type { Logger } from '../log.ts';
import type { ChannelAdapter } from './contract.ts';

export type CredentialState =
  | { status: 'checking' }
  | { status: 'ok'; detail: string }
  | { status: 'failed'; reason: string }
  | { status: 'unchecked' };

export interface ChannelHealth {
  /** Each enabled channel's credential check, for /readyz and `touchpoint doctor`. */
  report(): Record<string, CredentialState>;
  /** Resolves when every check has answered (or timed out). */
  done: Promise<void>;
}

/**
 * Runs each adapter's credential check once at start-up, in the background so
 * a slow provider never holds the router back, and says plainly which channel
 * failed and what to change. A channel without a cheap check is `unchecked`.
 */
export function checkCredentials(
  adapters: ReadonlyMap<string, ChannelAdapter>,
  log: Logger,
  timeoutMs = 15_000,
): ChannelHealth {
  const states = new Map<string, CredentialState>();
  const checks: Promise<void>[] = [];
  for (const [name, adapter] of adapters) {
    if (!adapter.checkCredentials) {
      states.set(name, { status: 'unchecked' });
      continue;
    }
    states.set(name, { status: 'checking' });
    const check = adapter.checkCredentials.bind(adapter);
    checks.push(
      withTimeout(check(), timeoutMs).then(
        (detail) => {
          states.set(name, { status: 'ok', detail });
          log.info({ channel: name, detail }, `${name}: credentials accepted (${detail})`);
        },
        (err: unknown) => {
          const reason = err instanceof Error ? err.message : String(err);
          states.set(name, { status: 'failed', reason });
          log.error({ channel: name, reason }, `${name}: credentials check failed: ${reason}`);
        },
      ),
    );
  }
  return { report: () => Object.fromEntries(states), done: Promise.all(checks).then(() => {}) };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s: is the provider reachable?`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
