import type {
  ChannelAdapter,
  ChannelHost,
  Clock,
  Logger,
  StartedThread,
  StartThreadRequest,
} from '../../src/channel/index.ts';
import { createGraphClient } from './api/graph.ts';
import { reconcileOutbound } from './api/reconcile.ts';
import { metaFileLimits, type SendContext, sendOutbound } from './api/send.ts';
import { commentIdentityKind } from './links.ts';
import { metaMediaSource } from './media.ts';
import type { MetaChannel, MetaSettings } from './settings.ts';
import { decodeThreadKey, encodeThreadKey } from './thread-key.ts';
import { registerWebhookRoutes } from './webhook/routes.ts';
import { PRIVATE_REPLY_WINDOW_MS } from './window.ts';

/** Longest text Meta accepts in one message: Messenger 2,000 characters, Instagram DMs 1,000. */
const MAX_TEXT: Record<MetaChannel, number> = { facebook: 2000, instagram: 1000 };
/** Longest text a person can send: a Messenger message 20,000 (a Page comment 8,000); an Instagram comment 2,200 (a DM 1,000). */
const MAX_INBOUND: Record<MetaChannel, number> = { facebook: 20_000, instagram: 2_200 };

/**
 * One adapter instance serves one channel (`facebook`: a Page's Messenger
 * and feed comments; `instagram`: a professional account's DMs and
 * comments) over the same Meta webhook and Graph API code.
 */
export function createMetaAdapter(
  channel: MetaChannel,
  settings: MetaSettings,
  deps: { log: Logger; clock: Clock },
): ChannelAdapter {
  const graph = createGraphClient({
    baseUrl: settings.apiBaseUrl,
    version: settings.apiVersion,
    accessToken: settings.accessToken,
    timeoutMs: settings.requestTimeoutMs,
    clock: deps.clock,
  });
  let host: ChannelHost | null = null;
  const ctx = (): SendContext => ({
    channel,
    graph,
    settings,
    clock: deps.clock,
    state: host?.state ?? null,
    files: host?.files ?? null,
  });

  return {
    channel,
    mediaSource: metaMediaSource,
    async checkCredentials() {
      try {
        const me = await graph.get('me?fields=id,name');
        return `${String(me.name ?? me.id ?? 'page')}`;
      } catch (err) {
        throw new Error(
          `Graph API refused the access token (${(err as Error).message}): set channels.${channel}.accessToken to a long-lived Page token`,
        );
      }
    },
    capabilities: {
      threads: true,
      privateReply: true,
      // Files go to people in DMs, each as its own message by URL (api/send.ts); comments take text only.
      attachments: true,
      fileLimits: metaFileLimits(channel),
      // Choice questions go out with quick replies (api/send.ts).
      richParts: true,
      maxTextLength: MAX_TEXT[channel],
      maxInboundText: MAX_INBOUND[channel],
      idempotentSend: false,
    },
    // The Send API allows about 300 calls per second per Page.
    rateLimit: { minTimeMs: 4, maxConcurrent: 16 },

    async start(h) {
      host = h;
      registerWebhookRoutes({ channel, host: h, settings });
    },

    async stop() {
      host = null;
    },

    destination() {
      return settings.ours;
    },

    startThread(request) {
      return startThread(channel, settings.ours, request, deps.clock.now());
    },

    send(msg) {
      return sendOutbound(ctx(), msg);
    },

    // A send cut off by a crash is looked up in the conversation or under the comment first (api/reconcile.ts).
    reconcile(msg, attempt) {
      return reconcileOutbound(ctx(), msg, attempt);
    },
  };
}

/**
 * A private reply to the person's latest comment on a public thread, within
 * 7 days of it. Nothing else: Meta never lets a business write first in a
 * DM, and whether the person wrote lately is not known here, so a plain DM
 * route would be taken only to be refused at send time.
 */
export function startThread(
  channel: MetaChannel,
  ours: string,
  request: StartThreadRequest,
  now: number,
): StartedThread | null {
  const from = request.privateReplyTo;
  if (!from) return null;
  const pub = decodeThreadKey(from.threadKey);
  const ref = from.replyRef ?? {};
  if (pub?.kind !== 'comment' || pub.ours !== ours) return null;
  if (request.to.kind !== commentIdentityKind(channel) || ref.author !== request.to.value) return null;
  if (typeof ref.comment !== 'string' || typeof ref.commentAt !== 'number') return null;
  if (now - ref.commentAt > PRIVATE_REPLY_WINDOW_MS) return null;
  return {
    threadKey: encodeThreadKey({ kind: 'private-reply', ours, comment: ref.comment }),
    touchpoint: { channel, kind: `${channel}.dm`, visibility: 'private' },
    replyRef: { comment: ref.comment, commentAt: ref.commentAt, author: ref.author },
  };
}
