import type { Clock } from '../clock.ts';
import { parseDuration } from '../duration.ts';
import type { Logger } from '../log.ts';
import type { RouterSettings } from '../settings/schema.ts';
import type { Store } from '../store/contract.ts';
import { createWebhookSender, type WebhookSender } from './sender.ts';
import { webhookRouting } from './subscriptions.ts';

/**
 * Webhooks out as router.yaml sets them: the store writes an event row for
 * each subscriber of the config in force, and the sender delivers them.
 * Timings come from the config at start; subscriptions follow reloads.
 */
export function configuredWebhooks(o: {
  store: Store;
  clock: Clock;
  log: Logger;
  owner: string;
  settings: RouterSettings['webhooks'];
  current: () => RouterSettings['webhooks'];
}): WebhookSender {
  const subscriptions = webhookRouting(o.current, o.clock);
  o.store.outEvents.routing = subscriptions;
  const timeoutMs = parseDuration(o.settings.timeout);
  return createWebhookSender({
    store: o.store,
    clock: o.clock,
    log: o.log,
    owner: o.owner,
    // A delivery keeps its lease well past the receiver's time to answer.
    leaseMs: Math.max(60_000, 2 * timeoutMs),
    timeoutMs,
    maxAttempts: o.settings.maxAttempts,
    backoff: { baseMs: parseDuration(o.settings.backoffBase), maxMs: parseDuration(o.settings.backoffMax) },
    concurrency: o.settings.concurrency,
    receiver: subscriptions.receiver,
  });
}
