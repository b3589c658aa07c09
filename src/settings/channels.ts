import type { AdapterRegistry } from '../channel/contract.ts';
import type { ConfigProblem } from '../errors.ts';
import { type ChannelBlock, channelsFile } from './schema.ts';
import { withSuggestion } from './suggest.ts';
import type { ChannelSettings } from './types.ts';
import { validateYaml, type YamlFile } from './yaml-file.ts';
import { formatPath, locate } from './yaml-source.ts';

const CORE_KEYS = ['enabled', 'rateLimit'];

/**
 * Validates channels.yaml: the core keys of every block with `channelBlock`,
 * the rest with the adapter's own schema. A disabled channel is checked for
 * its name and core keys only, so its secrets need not be set.
 */
export function validateChannels(
  yaml: YamlFile,
  adapters: AdapterRegistry,
): { channels: Record<string, ChannelSettings>; problems: ConfigProblem[] } {
  const core = validateYaml(yaml, channelsFile);
  const problems = [...core.problems];
  const channels: Record<string, ChannelSettings> = {};
  const raw = channelBlocks(yaml.data);
  const disabled = new Set(Object.keys(raw).filter((name) => raw[name]?.enabled === false));
  problems.push(
    ...yaml.envProblems.filter((p) => !(p.at[0] === 'channels' && disabled.has(String(p.at[1])))).map((p) => p.problem),
  );
  if (!yaml.source) return { channels, problems };

  const known = Object.keys(adapters).sort();
  for (const [name, block] of Object.entries(raw)) {
    const adapter = adapters[name];
    if (!adapter) {
      const pos = locate(yaml.source, ['channels', name], { key: true });
      problems.push({
        file: yaml.file,
        ...pos,
        path: formatPath(['channels', name]),
        message: `unknown channel \`${name}\``,
        fix:
          known.length > 0
            ? withSuggestion(name, known, `use one of ${known.join(', ')}`)
            : 'no channel adapters are installed; remove this block',
      });
      continue;
    }
    const coreBlock: ChannelBlock | undefined = core.value?.channels[name];
    if (disabled.has(name)) {
      if (coreBlock) channels[name] = { enabled: false, rateLimit: coreBlock.rateLimit, settings: null };
      continue;
    }
    const own = Object.fromEntries(Object.entries(block ?? {}).filter(([k]) => !CORE_KEYS.includes(k)));
    const result = validateYaml(yaml, adapter.settings, {
      data: own,
      prefix: ['channels', name],
      extraRootKeys: CORE_KEYS,
    });
    problems.push(...result.problems);
    if (coreBlock && result.problems.length === 0) {
      channels[name] = { enabled: coreBlock.enabled, rateLimit: coreBlock.rateLimit, settings: result.value };
    }
  }
  problems.push(...missingReplyRoutes(yaml, adapters, channels));
  return { channels, problems };
}

/** An enabled channel whose replies go out on another channel that is not enabled would dead-letter every reply. */
function missingReplyRoutes(
  yaml: YamlFile,
  adapters: AdapterRegistry,
  channels: Record<string, ChannelSettings>,
): ConfigProblem[] {
  if (!yaml.source) return [];
  const problems: ConfigProblem[] = [];
  for (const [name, ch] of Object.entries(channels)) {
    const via = adapters[name]?.replyVia;
    if (!ch.enabled || !via || channels[via]?.enabled) continue;
    problems.push({
      file: yaml.file,
      ...locate(yaml.source, ['channels', name, 'enabled']),
      path: formatPath(['channels', name, 'enabled']),
      message: `\`${name}\` replies go out on \`${via}\`, which is not enabled: every reply would be dead-lettered while the customer is told we will answer`,
      fix: `enable and configure \`channels.${via}\`, or set \`channels.${name}.enabled: false\``,
    });
  }
  return problems;
}

function channelBlocks(data: unknown): Record<string, Record<string, unknown> | null> {
  const channels = isMapping(data) ? data.channels : undefined;
  if (!isMapping(channels)) return {};
  return Object.fromEntries(Object.entries(channels).map(([k, v]) => [k, isMapping(v) ? v : null]));
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
