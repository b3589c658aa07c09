import type { Clock } from '../clock.ts';
import type { OutEventType } from '../model/out-events.ts';
import type { RouterSettings } from '../settings/schema.ts';
import type { OutEventRouting } from '../store/out-events.ts';
import type { Receiver } from './post.ts';

type WebhookSettings = RouterSettings['webhooks'];

/**
 * The subscriptions of the config in force, read at each call so a reload
 * applies to the next event; the per-type index is built once per config.
 */
export function webhookRouting(
  current: () => WebhookSettings,
  clock: Clock,
): OutEventRouting & {
  receiver(name: string): Receiver | null;
} {
  const indexes = new WeakMap<WebhookSettings, Map<OutEventType, string[]>>();
  const indexOf = (settings: WebhookSettings) => {
    let index = indexes.get(settings);
    if (!index) {
      index = new Map();
      for (const [name, sub] of Object.entries(settings.subscriptions)) {
        for (const type of new Set(sub.events)) index.set(type, [...(index.get(type) ?? []), name]);
      }
      indexes.set(settings, index);
    }
    return index;
  };
  return {
    subscribers: (type) => indexOf(current()).get(type) ?? [],
    now: () => clock.now(),
    receiver(name) {
      const sub = current().subscriptions[name];
      return sub ? { url: sub.url, secret: sub.secret } : null;
    },
  };
}
