import type { ChannelAdapter, ChannelCapabilities, StartedThread, StartThreadRequest } from '../channel/contract.ts';
import type { Logger } from '../log.ts';
import type { DestinationOf } from '../pipeline/replies.ts';

/** What the policies need to know about the loaded channels: what each can do, and how to start a thread on it. */
export interface ChannelDirectory {
  capabilities(channel: string): ChannelCapabilities | null;
  /** A new thread to `request.to`, or null when the channel is not loaded or cannot reach that person. */
  startThread(channel: string, request: StartThreadRequest): StartedThread | null;
  destinationOf: DestinationOf;
}

export function createChannelDirectory(
  adapters: ReadonlyMap<string, ChannelAdapter>,
  destinationOf: DestinationOf,
  log: Logger,
): ChannelDirectory {
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
