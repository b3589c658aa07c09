import { join } from 'node:path';
import type { AdapterRegistry, ConfigFacts } from '../channel/contract.ts';
import type { ConfigProblem } from '../errors.ts';
import type { Env } from './env-refs.ts';
import type { LoadedFlow } from './flow-files.ts';
import type { PolicySettings } from './policy-schema.ts';
import type { IntentDef } from './schema.ts';
import type { ChannelSettings } from './types.ts';
import { readYamlFile, type YamlFile } from './yaml-file.ts';
import { formatPath, locate } from './yaml-source.ts';

/**
 * Settings each valid on their own that lead nowhere together: a desk route
 * for a category no flow sets, a lookup at a host that cannot exist, a person
 * on call on a channel that is not running.
 */

type Walked = { path: PropertyKey[]; key: string; value: Record<string, unknown> };

/** Every mapping under `value` that sits at a key, with its path: the steps of a flow, at any depth. */
function* walk(value: unknown, path: PropertyKey[] = []): Generator<Walked> {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* walk(v, [...path, i]);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      yield { path: [...path, key], key, value: v as Record<string, unknown> };
    yield* walk(v, [...path, key]);
  }
}

export function configFacts(
  intents: Record<string, IntentDef> | null,
  flows: LoadedFlow[],
  channels: Record<string, ChannelSettings>,
): ConfigFacts {
  const categories = new Set<string>();
  const teams = new Set<string>();
  for (const def of Object.values(intents ?? {})) if (def.category) categories.add(def.category);
  for (const { flow } of flows) {
    for (const { key, value } of walk(flow.steps)) {
      if (key === 'set' && typeof value.category === 'string') categories.add(value.category);
      if (key === 'handoff' && typeof value.team === 'string') teams.add(value.team);
    }
  }
  const enabledChannels = new Set(Object.entries(channels).flatMap(([n, c]) => (c.enabled ? [n] : [])));
  return { categories, teams, enabledChannels };
}

/** The adapters' own cross-checks (Slack's desk routes), located in channels.yaml. */
export function checkChannelRoutes(
  yaml: YamlFile,
  adapters: AdapterRegistry,
  channels: Record<string, ChannelSettings>,
  facts: ConfigFacts,
): ConfigProblem[] {
  return Object.entries(channels).flatMap(([name, ch]) => {
    const check = adapters[name]?.crossCheck;
    if (!ch.enabled || !check) return [];
    return check(ch.settings, facts).map((p) => {
      const path = ['channels', name, ...p.path];
      const pos = yaml.source ? locate(yaml.source, path) : { line: null, column: null };
      return { file: yaml.file, ...pos, path: formatPath(path), message: p.message, fix: p.fix };
    });
  });
}

/** Hosts reserved for documentation (RFC 2606): a lookup there never answers. */
const PLACEHOLDER_HOST = /(^|\.)(example|invalid|localhost\.example)$|(^|\.)example\.(com|net|org)$/i;

export function checkLookups(flows: LoadedFlow[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const { flow, yaml } of flows) {
    for (const { path, key, value } of walk(flow.steps, ['steps'])) {
      if (key !== 'lookup' || typeof value.url !== 'string') continue;
      const at = [...path, 'url'];
      const pos = yaml.source ? locate(yaml.source, at) : { line: null, column: null };
      const problem = (message: string, fix: string) =>
        problems.push({ file: yaml.file, ...pos, path: formatPath(at), message, fix });
      // Not a full URL at all is the flow language's own check (src/flow-language/flow-checks.ts).
      const host = URL.parse(value.url.replaceAll(/\{[^{}]*\}/g, 'x'))?.hostname ?? '';
      if (PLACEHOLDER_HOST.test(host))
        problem(
          `the lookup goes to ${host}, a placeholder host that never answers`,
          'point it at the real service (set the environment variable the URL names), or use the built-in demo: `url: demo:orders/{order}`',
        );
    }
  }
  return problems;
}

/** People on call whose channel is not enabled: their pages would never leave (a warning, not an error). */
export function oncallWarnings(
  configDir: string,
  env: Env,
  policies: PolicySettings,
  channels: Record<string, ChannelSettings>,
): ConfigProblem[] {
  const off = Object.entries(policies.oncall.people).filter(([, p]) => !channels[p.channel]?.enabled);
  if (off.length === 0) return [];
  const file = join(configDir, 'oncall.yaml');
  const { yaml } = readYamlFile(file, env);
  return off.map(([id, p]) => {
    const at = ['people', id, 'channel'];
    const pos = yaml.source ? locate(yaml.source, at) : { line: null, column: null };
    return {
      file,
      ...pos,
      path: formatPath(at),
      message: `${p.name} is paged on \`${p.channel}\`, which is not enabled: their pages are never sent`,
      fix: `enable channels.${p.channel}, or page ${p.name} on an enabled channel`,
    };
  });
}
