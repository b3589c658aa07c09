import type { ChannelAdapter, ChannelHost, Clock, Logger } from '../../src/channel/index.ts';
import { createTwilioClient } from './api/client.ts';
import { reconcileOutbound } from './api/reconcile.ts';
import { planOutbound, type SendContext, sendOutbound } from './api/send.ts';
import { outgoingFileLimits, twilioMediaSource } from './media.ts';
import { decodeThreadKey } from './numbers.ts';
import { rateLimitFor } from './rate.ts';
import type { TwilioChannel, TwilioSettings } from './settings.ts';
import { startTwilioThread } from './start-thread.ts';
import { registerVoiceRoutes } from './voice/routes.ts';
import { registerMessagingRoutes } from './webhook/routes.ts';

/**
 * One adapter instance serves one channel (`sms` or `whatsapp`) over the
 * same Twilio code. Calls ride on `sms`: same numbers, same threads.
 */
export function createTwilioAdapter(
  channel: TwilioChannel,
  settings: TwilioSettings,
  deps: { log: Logger; clock: Clock },
): ChannelAdapter {
  const client = createTwilioClient({
    accountSid: settings.accountSid,
    authToken: settings.authToken,
    apiBaseUrl: settings.apiBaseUrl,
    timeoutMs: settings.requestTimeoutMs,
    clock: deps.clock,
  });
  let host: ChannelHost | null = null;
  const publicBase = () => (host?.publicUrl ?? '').replace(/\/+$/, '');
  const sendContext = (): SendContext => ({
    channel,
    client,
    settings,
    clock: deps.clock,
    statusCallbackUrl:
      settings.statusCallback && host ? `${publicBase()}${settings.webhookPath}/${channel}/status` : null,
    state: host?.state ?? null,
    files: host?.files ?? null,
  });

  return {
    channel,
    capabilities: {
      threads: false,
      privateReply: false,
      attachments: true,
      fileLimits: outgoingFileLimits(channel),
      richParts: false,
      // Long replies are split or shortened here, per maxSegments and maxMessages.
      maxTextLength: null,
      // What Twilio delivers in one message: an SMS of up to 10 segments, a WhatsApp message of 4,096 characters.
      maxInboundText: channel === 'whatsapp' ? 4_096 : 1_600,
      idempotentSend: false,
      ...(channel === 'whatsapp' ? { replyWindowHours: settings.windowHours ?? 24 } : {}),
    },
    rateLimit: rateLimitFor(settings.numbers),

    async start(h) {
      host = h;
      const path = `${settings.webhookPath}/${channel}`;
      registerMessagingRoutes({ channel, host: h, authToken: settings.authToken, path });
      if (channel === 'sms' && settings.voice) {
        registerVoiceRoutes({
          host: h,
          authToken: settings.authToken,
          path: `${settings.webhookPath}/voice`,
          publicBase: publicBase(),
          voice: settings.voice,
        });
      }
    },

    async stop() {
      host = null;
    },

    mediaSource: (a) => twilioMediaSource(a, settings),

    async checkCredentials() {
      try {
        const account = await client.api.v2010.accounts(settings.accountSid).fetch();
        return `account ${account.friendlyName} (${account.status})`;
      } catch (err) {
        const e = err as { status?: number; code?: number; message?: string };
        if (e.status === 401 || e.code === 20003)
          throw new Error(
            `Twilio refused the account SID and auth token (error 20003): set channels.${channel}.accountSid and authToken to the values in the Twilio console`,
          );
        throw new Error(`Twilio account check failed: ${e.message ?? String(err)}`);
      }
    },

    startThread(request) {
      return startTwilioThread(channel, settings, request.to);
    },

    destination(threadKey) {
      // The limit is per sending number: our side of the thread.
      return decodeThreadKey(threadKey)?.ours ?? threadKey;
    },

    send(msg) {
      return sendOutbound(sendContext(), msg);
    },

    async reconcile(msg, attempt) {
      const ctx = sendContext();
      return reconcileOutbound(ctx, planOutbound(ctx, msg), msg, attempt);
    },
  };
}
