import type { Clock } from '../clock.ts';
import { parseDuration } from '../duration.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import type { Logger } from '../log.ts';
import type { Conversation, Message } from '../model/types.ts';
import type { Outbound } from '../outbound/outbound.ts';
import type { Settings } from '../settings/types.ts';
import type { Store } from '../store/contract.ts';
import { type BugDesk, createBugDesk } from './bug-desk.ts';
import { registerBugRoutes } from './bug-routes.ts';
import { trackerOf } from './trackers.ts';

/** The bug desk on the config in force (router.yaml `bugTracker`, read at each use); `routes` adds its HTTP routes. */
export function configuredBugDesk(d: {
  store: Store;
  clock: Clock;
  log: Logger;
  live: () => { settings: Settings; outbound: Outbound };
  onMessages: (conversation: Conversation, messages: Message[]) => void;
  onTimers: () => void;
}): BugDesk & { routes(registry: RouteRegistry): void } {
  const settings = () => d.live().settings.router.bugTracker;
  const desk = createBugDesk({
    store: d.store,
    clock: d.clock,
    log: d.log,
    tracker: trackerOf(settings),
    config: () => ({
      fixedTemplate: settings()?.fixedTemplate ?? 'bug_fixed',
      templates: d.live().settings.templates,
      pollEveryMs: parseDuration(settings()?.pollEvery ?? '5m'),
    }),
    outbound: () => d.live().outbound,
    onMessages: d.onMessages,
    onTimers: d.onTimers,
  });
  return Object.assign(desk, {
    routes(registry: RouteRegistry) {
      registerBugRoutes(registry, desk, () => {
        const t = settings();
        return t?.kind === 'github' ? { secret: t.webhookSecret ?? null, project: t.project } : null;
      });
    },
  });
}
