import type { Logger } from '../log.ts';
import type { DestinationOf } from '../outbound/outbound.ts';
import type { ChannelAdapter, ChannelCapabilities, StartedThread, StartThreadRequest } from './contract.ts';

/** What the policies need to know about the loaded channels: what each can do, and how to start a thread on it. */
export interface ChannelDirectory {
  capabilities(channel: string): ChannelCapabilities | null;
  /** A new thread to `request.to`, or null when the channel is not loaded or cannot reach that person. */
  startThread(channel: string, request: StartThreadRequest): StartedThread | null;
  /** Where a thread's messages go: the channel's own destination, or another channel's when it replies via one. */
  destinationOf: DestinationOf;
}

export function createChannelDirectory(adapters: ReadonlyMap<string, ChannelAdapter>, log: Logger): ChannelDirectory {
  const destinationOf: DestinationOf = (channel, threadKey, replyRef) => {
    const adapter = adapters.get(channel);
    const via = adapter?.capabilities.replyVia ? adapters.get(adapter.capabilities.replyVia) : undefined;
    if (via) return { channel: via.channel, destination: via.destination(threadKey, replyRef) };
    return adapter?.destination(threadKey, replyRef) ?? null;
  };
  return {
    capabilities: (channel) => adapters.get(channel)?.capabilities ?? null,
    startThread(channel, request) {
      const adapter = adapters.get(channel);
      if (!adapter?.startThread) return null;
      if (request.privateReplyTo && !adapter.capabilities.privateReply) return null;
      try {
        return adapter.startThread(request);
      } catch (err) {
        // an adapter that cannot build the thread is a route we cannot take, not a reason to fail the decision
        log.warn({ err, channel, kind: request.to.kind }, 'starting a thread failed');
        return null;
      }
    },
    destinationOf,
  };
}
