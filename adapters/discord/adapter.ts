import type { ChannelAdapter, ChannelHost } from '../../src/channel/contract.ts';
import { createSendRest } from './api/rest.ts';
import { type SendContext, sendOutbound } from './api/send.ts';
import { MAX_CONTENT } from './format/split.ts';
import { GatewayConnection } from './gateway/connection.ts';
import type { DiscordSettings } from './settings.ts';
import { decodeThreadKey, destinationOf, encodeThreadKey } from './thread-key.ts';

const SNOWFLAKE = /^\d{15,21}$/;

/**
 * The Discord channel: one gateway connection in (DMs and server messages),
 * REST out. `start` is idempotent. The core has no lock yet for connections
 * that must exist once, so in scale-out `gateway: false` on all instances but
 * one keeps a single connection (two would ingest every message twice, which
 * dedupe absorbs, and double the sessions Discord counts); every instance can
 * send, since sends use REST alone.
 */
export function createDiscordAdapter(settings: DiscordSettings): ChannelAdapter {
  let gateway: GatewayConnection | null = null;
  let sendCtx: SendContext | null = null;
  const ctx = (): SendContext => {
    sendCtx ??= { rest: createSendRest(settings), dmChannels: new Map() };
    return sendCtx;
  };
  return {
    channel: 'discord',
    capabilities: {
      threads: true,
      // Discord has no private answer to a public post; the handoff opens a DM instead (startThread).
      privateReply: false,
      attachments: true,
      richParts: false,
      maxTextLength: MAX_CONTENT,
      idempotentSend: true,
    },
    // Discord allows about 5 messages per 5 s per channel.
    rateLimit: { minTimeMs: 1_000, maxConcurrent: 1, channelPerSecond: 40 },

    async start(host: ChannelHost) {
      if (gateway || !settings.gateway) return;
      gateway = new GatewayConnection(settings, host);
      await gateway.start();
    },

    async stop() {
      const g = gateway;
      gateway = null;
      await g?.stop();
      sendCtx?.rest.clearHashSweeper();
      sendCtx?.rest.clearHandlerSweeper();
      sendCtx = null;
    },

    destination(threadKey) {
      const thread = decodeThreadKey(threadKey);
      return thread ? destinationOf(thread) : threadKey;
    },

    startThread({ to, privateReplyTo }) {
      if (privateReplyTo || to.kind !== 'discord' || !SNOWFLAKE.test(to.value)) return null;
      return {
        threadKey: encodeThreadKey({ kind: 'dm', userId: to.value }),
        touchpoint: { channel: 'discord', kind: 'discord.dm', visibility: 'private' },
        replyRef: null,
      };
    },

    send(msg) {
      return sendOutbound(ctx(), msg);
    },
  };
}
