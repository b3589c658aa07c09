import type { BugDesk } from './bugs/bug-desk.ts';
import type { Bus } from './bus.ts';
import type { Clock } from './clock.ts';
import { createLiveDrafts } from './drafts/live.ts';
import { type ConfigParts, follow } from './live-config.ts';
import type { Logger } from './log.ts';
import type { OutboxLimiter } from './outbox/limiter.ts';
import type { DeskHost, DeskNotice } from './people/desk-events.ts';
import { createDeskHost } from './people/desk-host.ts';
import { createDeskCrisis } from './policies/crisis-desk.ts';
import { createDeskQa } from './policies/qa-desk.ts';
import type { Settings } from './settings/types.ts';
import type { Store } from './store/contract.ts';

/**
 * The desk host each agent-desk adapter (Slack) is given: the config in force read at each call,
 * the shared limiter, and the desk's optional parts (knowledge, drafts, bugs, QA, crisis).
 */
export function liveDeskHosts(o: {
  bus: Bus<DeskNotice>;
  store: Store;
  actions: ConfigParts['actions'];
  policyActions: ConfigParts['policies']['actions'];
  limiter: OutboxLimiter;
  clock: Clock;
  calendar: ConfigParts['calendar'];
  /** The settings in force (a live view). */
  settings: Settings;
  live: () => ConfigParts;
  log: Logger;
  bugs: Pick<BugDesk, 'enabled' | 'log' | 'linkRef'>;
  onCrisisSwitched: () => void;
}): (channel: string) => DeskHost {
  const { store, clock, live, settings } = o;
  return (channel) =>
    createDeskHost({
      channel,
      bus: o.bus,
      store,
      actions: o.actions,
      moveToPrivate: o.policyActions.moveToPrivate,
      deescalate: o.policyActions.deescalate,
      limiter: o.limiter,
      clock,
      flows: follow(() => settings.flows.map((f) => ({ id: f.id, description: f.description ?? null }))),
      dispositions: follow(() =>
        Object.entries(settings.policies.desk.resolution.dispositions).map(([code, label]) => ({ code, label })),
      ),
      calendar: o.calendar,
      knowledge: {
        search: (q, limit) => live().policies.kit.knowledge.search(q, limit),
        get: (id) => live().policies.kit.knowledge.get(id),
      },
      drafts: createLiveDrafts({
        current: () => ({ settings: live().settings, knowledge: live().policies.kit.knowledge }),
        store,
        log: o.log.child({ part: 'drafts' }),
      }),
      bugs: { enabled: o.bugs.enabled, log: o.bugs.log, link: o.bugs.linkRef },
      qa: createDeskQa({ store, clock, reviews: () => live().settings.policies.reviews, via: channel }),
      crisis: createDeskCrisis({ store, clock, settings: () => settings, onSwitched: o.onCrisisSwitched }),
    });
}
