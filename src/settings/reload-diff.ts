import { isDeepStrictEqual } from 'node:util';
import type { Settings } from './types.ts';

/** What a config reload found changed, by the file the owner edits. */
export interface ReloadDiff {
  /** Applied now: flows, templates, intents, the business (calendar) and the policy files. */
  applied: string[];
  /** Seen but not applied until a restart: channels.yaml, router.yaml. */
  needsRestart: string[];
}

const HOT: Array<[string, (s: Settings) => unknown]> = [
  ['business.yaml (name, hours, holidays)', (s) => s.business],
  ['templates.yaml', (s) => s.templates],
  ['intents.yaml', (s) => s.intents],
  ['flows/', (s) => s.flows],
  ['triage.yaml', (s) => s.policies.triage],
  ['knowledge.yaml', (s) => s.policies.knowledge],
  ['knowledge articles', (s) => s.policies.articles],
  ['handoff.yaml', (s) => s.policies.handoff],
  ['sla.yaml', (s) => s.policies.sla],
  ['oncall.yaml', (s) => s.policies.oncall],
  ['targets.yaml', (s) => s.policies.targets],
  ['desk.yaml', (s) => s.policies.desk],
];

/**
 * Compares the running settings with freshly loaded ones. Channels and the
 * router's own settings (port, store, workers) are wired into connections and
 * servers at start-up, so they only say "needs a restart".
 */
export function reloadDiff(running: Settings, next: Settings): ReloadDiff {
  const applied = HOT.filter(([, part]) => !isDeepStrictEqual(part(running), part(next))).map(([name]) => name);
  const needsRestart: string[] = [];
  const names = new Set([...Object.keys(running.channels), ...Object.keys(next.channels)]);
  for (const name of [...names].sort()) {
    if (!isDeepStrictEqual(running.channels[name], next.channels[name])) needsRestart.push(`channels.yaml (${name})`);
  }
  if (!isDeepStrictEqual(running.router, next.router)) needsRestart.push('router.yaml');
  return { applied, needsRestart };
}

/** The new settings with what needs a restart kept as it runs, so the channels and the router go on unchanged. */
export function hotPart(running: Settings, next: Settings): Settings {
  return { ...next, channels: running.channels, router: running.router };
}
