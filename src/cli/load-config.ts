import { checkFlows } from '../flow-language/flow-checks.ts';
import { type LoadOptions, loadSettings } from '../settings/load.ts';
import type { Settings } from '../settings/types.ts';

/**
 * The one config loader: config/*.yaml, the policy files and flows/*.yaml,
 * checked against each other (the flows by the flow language's own checks).
 * Every problem, with file and line, comes back together as one ConfigError.
 */
export function loadConfig(opts: Omit<LoadOptions, 'checkFlows'>): Settings {
  return loadSettings({ ...opts, checkFlows });
}
