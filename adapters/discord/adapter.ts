import { Routes } from 'discord.js';
import type { AttachmentFiles, ChannelAdapter, ChannelHost, Exclusive } from '../../src/channel/index.ts';
import { reconcileOutbound } from './api/reconcile.ts';
import { createSendRest } from './api/rest.ts';
import { DISCORD_FILE_LIMITS, type SendContext, sendOutbound } from './api/send.ts';
import { MAX_CONTENT } from './format/split.ts';
import { GatewayConnection } from './gateway/connection.ts';
import { discordMediaSource } from './media.ts';
import type { DiscordSettings } from './settings.ts';
import { decodeThreadKey, destinationOf, encodeThreadKey } from './thread-key.ts';

const SNOWFLAKE = /^\d{15,21}$/;

/**
 * The Discord channel: one gateway connection in (DMs and server messages),
 * REST out. `start` is idempotent. The gateway runs on one router instance at
 * a time under the host's lock (two would ingest every message twice and
 * double the sessions Discord counts) and moves to another instance when its
 * holder dies; `gateway: false` keeps an instance from ever holding it. Every
 * instance can send, since sends use REST alone.
 */
export function createDiscordAdapter(settings: DiscordSettings): ChannelAdapter {
  let gateway: GatewayConnection | null = null;
  let held: Promise<Exclusive> | null = null;
  let sendCtx: SendContext | null = null;
  let files: AttachmentFiles | null = null;
  const ctx = (): SendContext => {
    sendCtx ??= { rest: createSendRest(settings), dmChannels: new Map(), files };
    return sendCtx;
  };
  return {
    channel: 'discord',
    mediaSource: discordMediaSource,
    async checkCredentials() {
      try {
        const me = (await ctx().rest.get(Routes.user())) as { username?: string };
        return `bot ${me.username ?? '?'}`;
      } catch (err) {
        throw new Error(
          `Discord refused the bot token (${(err as Error).message}): set channels.discord.token to the bot's token from the developer portal`,
        );
      }
    },
    capabilities: {
      threads: true,
      // Discord has no private answer to a public post; the handoff opens a DM instead (startThread).
      privateReply: false,
      attachments: true,
      fileLimits: DISCORD_FILE_LIMITS,
      richParts: false,
      maxTextLength: MAX_CONTENT,
      // Nitro members may write twice what a bot may.
      maxInboundText: 4_000,
      // The nonce deduplicates a resend for a few minutes only: an unconfirmed send is looked up (reconcile).
      idempotentSend: false,
    },
    // Discord allows about 5 messages per 5 s per channel.
    rateLimit: { minTimeMs: 1_000, maxConcurrent: 1, channelPerSecond: 40 },

    async start(host: ChannelHost) {
      files = host.files ?? null;
      if (sendCtx) sendCtx.files = files;
      if (!settings.gateway) return;
      held ??= host.exclusive('gateway', {
        start: async () => {
          gateway = new GatewayConnection(settings, host);
          await gateway.start();
        },
        stop: async () => {
          const g = gateway;
          gateway = null;
          await g?.stop();
        },
      });
      await held;
    },

    async stop() {
      const h = held;
      held = null;
      await (await h)?.release();
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

    reconcile(msg, attempt) {
      return reconcileOutbound(ctx(), msg, attempt);
    },
  };
}
