import type { Logger } from '../log.ts';
import type { DeskHost } from '../people/desk-events.ts';
import type { ChannelAdapter, ChannelHost } from './contract.ts';
import { createChannelHost } from './host.ts';

type HostOptions = Parameters<typeof createChannelHost>[0];

/** Starts every enabled adapter on its own host (its channel, its text limit), with the parts every adapter shares. */
export async function startAdapters(
  adapters: ReadonlyMap<string, ChannelAdapter>,
  host: Omit<HostOptions, 'channel' | 'maxInboundText'>,
  shared: Pick<ChannelHost, 'files' | 'unsubscribe'> & { deskFor: (channel: string) => DeskHost },
): Promise<void> {
  for (const adapter of adapters.values()) {
    const channelHost = createChannelHost({
      ...host,
      channel: adapter.channel,
      maxInboundText: adapter.capabilities.maxInboundText,
    });
    await adapter.start({
      ...channelHost,
      desk: shared.deskFor(adapter.channel),
      files: shared.files,
      unsubscribe: shared.unsubscribe,
    });
  }
}

/** Stops every adapter; one that fails to stop is logged and the others still stop. */
export async function stopAdapters(adapters: ReadonlyMap<string, ChannelAdapter>, log: Logger): Promise<void> {
  await Promise.all(
    [...adapters.values()].map((a) =>
      a.stop().catch((err: unknown) => log.warn({ err, channel: a.channel }, 'adapter stop failed')),
    ),
  );
}
