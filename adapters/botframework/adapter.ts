import {
  type AttachmentFiles,
  badRequest,
  type ChannelAdapter,
  type ChannelHost,
  forbidden,
  type HttpRequest,
  type HttpResponse,
  type Logger,
  permanent,
  readOrKeep,
} from '../../src/channel/index.ts';
import { activityEnvelope, type BotReplyRef, messageActivity } from './activity.ts';
import { botframeworkMediaSource } from './media.ts';
import type { BotSdk } from './sdk.ts';
import { toSendError } from './send-errors.ts';
import { serviceUrlAllowed } from './service-urls.ts';
import type { BotframeworkSettings } from './settings.ts';
import { withSuggestedActions } from './suggested-actions.ts';
import { decodeThreadKey } from './thread-key.ts';

/**
 * Teams, Web Chat and the other Bot Framework channels through botbuilder's
 * CloudAdapter at `POST {path}`. Each message activity is stored before the
 * 200 goes back; replies, however late, go out through the conversation
 * reference kept as the conversation's reply reference. botbuilder is loaded
 * on start, so a router without this channel never loads it.
 */
export function createBotframeworkAdapter(settings: BotframeworkSettings, deps: { log: Logger }): ChannelAdapter {
  const channel = 'botframework';
  let sdk: BotSdk | null = null;
  let files: AttachmentFiles | null = null;

  return {
    channel,
    capabilities: {
      threads: true,
      privateReply: false,
      attachments: true,
      richParts: true,
      // Teams refuses messages over about 28 KB; keep well inside it.
      maxTextLength: 20_000,
      // Teams takes about 28 KB in one message.
      maxInboundText: 28_000,
      idempotentSend: false,
    },
    rateLimit: { minTimeMs: 100, maxConcurrent: 4 },

    async start(host) {
      files = host.files ?? null;
      const { createBotSdk } = await import('./sdk.ts');
      const ready = createBotSdk(settings);
      sdk = ready;
      if (!settings.appId) deps.log.warn('Bot Framework authentication is off (no appId): for local use only');
      host.routes.add('POST', settings.path, (req) => handleActivity(req, ready, host, settings), {
        maxBodyBytes: 256 * 1024,
      });
    },

    async stop() {
      sdk = null;
    },

    mediaSource: (a) =>
      botframeworkMediaSource(a, settings.serviceUrls, async () => (sdk ? sdk.connectorToken() : null)),

    destination(threadKey) {
      return threadKey;
    },

    async send(msg) {
      if (!sdk) throw permanent('the Bot Framework channel is not started');
      const ref = referenceFrom(msg.replyRef, msg.threadKey, settings.serviceUrls);
      const attachments = (msg.attachments ?? []).map((a) => {
        // A kept file goes as a signed, expiring link to this router, which the client fetches.
        const url = files?.link(a) ?? (a.blobKey ? null : a.url);
        if (!url) throw permanent(`attachment ${a.name ?? a.contentType} has no URL the client can fetch`);
        return { contentType: a.contentType, contentUrl: url, ...(a.name ? { name: a.name } : {}) };
      });
      try {
        const content = withSuggestedActions(msg, ref);
        return { providerId: await sdk.send(ref, { ...content, attachments }) };
      } catch (err) {
        throw toSendError(err);
      }
    },
  };
}

async function handleActivity(
  req: HttpRequest,
  sdk: BotSdk,
  host: ChannelHost,
  settings: BotframeworkSettings,
): Promise<HttpResponse> {
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    throw badRequest('body is not a JSON activity');
  }
  if (typeof body !== 'object' || body === null || typeof (body as { type?: unknown }).type !== 'string') {
    throw badRequest('an activity needs a type');
  }
  const serviceUrl = (body as { serviceUrl?: unknown }).serviceUrl;
  if (typeof serviceUrl === 'string' && !serviceUrlAllowed(serviceUrl, settings.serviceUrls)) {
    throw forbidden(`serviceUrl ${serviceUrl} is not allowed: add it to the channel's serviceUrls`);
  }
  // Authenticated activities the turn cannot read (a message without its sender, an envelope the
  // core refuses) are kept and answered 200: the Bot Framework would only send them again.
  const answered = await readOrKeep(host, req.rawBody, () =>
    sdk.process(req, body, async (activity) => {
      const parsed = messageActivity.safeParse(activity);
      if (parsed.success) {
        await host.ingest(activityEnvelope(parsed.data, 'botframework'));
        return;
      }
      const type = (activity as { type?: unknown }).type;
      if (type === 'message') throw parsed.error;
      host.log.debug({ type }, 'Bot Framework activity ignored');
    }),
  );
  return answered ?? { status: 200, body: '' };
}

/** The stored reference, checked again: a reference written before the allow-list changed may point elsewhere. */
function referenceFrom(replyRef: Record<string, unknown> | null, threadKey: string, allowed: string[]): BotReplyRef {
  const thread = decodeThreadKey(threadKey);
  if (!thread) throw permanent(`thread key ${JSON.stringify(threadKey)} is not a Bot Framework thread`);
  const ref = replyRef as BotReplyRef | null;
  if (!ref || typeof ref.serviceUrl !== 'string' || ref.conversation?.id !== thread.conversationId) {
    throw permanent('no conversation reference for this thread: the person must write to the bot first');
  }
  if (!serviceUrlAllowed(ref.serviceUrl, allowed)) {
    throw permanent(`serviceUrl ${ref.serviceUrl} is no longer allowed by the channel's serviceUrls`);
  }
  return ref;
}
