import { parseDuration } from '../duration.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import type { Settings } from '../settings/types.ts';
import { type BroadcastApiDeps, registerBroadcastApi } from './broadcast-api.ts';
import { type BroadcastRunner, type BroadcastRunnerOptions, createBroadcastRunner } from './runner.ts';

/** The broadcast runner as router.yaml sets it up, and its admin API on `routes`. */
export function configuredBroadcasts(
  settings: Settings['router']['broadcasts'],
  routes: RouteRegistry,
  o: Omit<BroadcastRunnerOptions, 'owner' | 'batchSize' | 'window' | 'pollMs'> &
    Pick<BroadcastApiDeps, 'templates' | 'channels'> & { instance: string },
): BroadcastRunner {
  const runner = createBroadcastRunner({
    ...o,
    owner: `${o.instance}:broadcasts`,
    batchSize: settings.batchSize,
    window: settings.window,
    pollMs: parseDuration(settings.pollInterval),
  });
  registerBroadcastApi(routes, { ...o, onChange: () => runner.kick() });
  return runner;
}
