import type { Clock } from '../clock.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { AdapterRegistry, ChannelAdapter } from './contract.ts';

/** One adapter for each channel enabled in channels.yaml; an unknown channel is a config error naming the fix. */
export async function createAdapters(
  registry: AdapterRegistry,
  /** channels.yaml, validated, and the folder it was read from. */
  settings: { configDir: string; channels: Record<string, { enabled: boolean; settings: unknown }> },
  log: Logger,
  clock: Clock,
): Promise<Map<string, ChannelAdapter>> {
  const out = new Map<string, ChannelAdapter>();
  for (const [name, ch] of Object.entries(settings.channels)) {
    if (!ch.enabled) continue;
    const def = registry[name];
    if (!def) {
      throw new ConfigError([
        {
          file: `${settings.configDir}/channels.yaml`,
          line: null,
          path: `channels.${name}`,
          message: `no adapter for channel "${name}"`,
          fix: `use one of: ${Object.keys(registry).join(', ')}`,
        },
      ]);
    }
    out.set(name, await def.create(ch.settings, { log: log.child({ channel: name }), clock }));
  }
  for (const [name, adapter] of out) {
    const via = adapter.capabilities.replyVia;
    if (via && !out.has(via)) {
      log.warn(
        { channel: name, replyVia: via },
        `${name} replies go out on ${via}, which is not enabled: every reply will be dead-lettered; enable channels.${via} or disable channels.${name}`,
      );
    }
  }
  return out;
}
