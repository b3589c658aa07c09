import type { MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message.js';
import {
  type AttachmentFiles,
  type ChannelState,
  type Clock,
  type OutboundMessage,
  permanent,
  type SendResult,
} from '../../../src/channel/index.ts';
import { planBodies } from '../format/plan.ts';
import { addressFor, decodeThreadKey } from '../numbers.ts';
import type { TwilioChannel, TwilioSettings } from '../settings.ts';
import { type ResponseProbe, type TwilioClient, withProbe } from './client.ts';
import { toSendError, WINDOW_CLOSED } from './errors.ts';

export interface SendContext {
  channel: TwilioChannel;
  client: TwilioClient;
  settings: TwilioSettings;
  clock: Clock;
  /** Where Twilio posts delivery reports, or null when they are off. */
  statusCallbackUrl: string | null;
  /** Remembers the parts of a split reply already sent, so a retry does not send them twice. */
  state: ChannelState | null;
  /** Signed links to kept files, for media Twilio fetches. */
  files?: AttachmentFiles | null;
}

/** A pre-approved WhatsApp (Content API) template, given as a part of the message. */
export interface TemplatePart {
  contentSid: string;
  variables?: Record<string, string>;
}

/** Twilio accepts up to 10 media URLs per message. */
const MAX_MEDIA = 10;
const HOUR_MS = 3_600_000;

/** The create calls one outbound message is sent as, in order (several when its text is split). */
export function planOutbound(ctx: SendContext, msg: OutboundMessage): MessageListInstanceCreateOptions[] {
  const thread = decodeThreadKey(msg.threadKey);
  if (!thread) throw permanent(`thread key ${JSON.stringify(msg.threadKey)} is not a Twilio thread`);
  const template = templateOf(msg.parts);
  if (ctx.channel === 'whatsapp' && !template) checkWindow(ctx, msg);
  const common: MessageListInstanceCreateOptions = {
    from: addressFor(ctx.channel, thread.ours),
    to: addressFor(ctx.channel, thread.customer),
    ...(ctx.statusCallbackUrl ? { statusCallback: ctx.statusCallbackUrl } : {}),
  };
  return template
    ? [{ ...common, contentSid: template.contentSid, contentVariables: JSON.stringify(template.variables ?? {}) }]
    : textPlan(ctx, msg, common);
}

/** Where the sids of a split reply's parts already sent are kept, so a retry sends only the rest. */
export const partsKey = (msg: OutboundMessage) => `sent:${msg.id}`;

export async function sendOutbound(ctx: SendContext, msg: OutboundMessage): Promise<SendResult> {
  const plan = planOutbound(ctx, msg);
  const key = partsKey(msg);
  const tracked = plan.length > 1 && ctx.state !== null;
  // Read on every send, not only on retries: after a crash the parts already out are known only here.
  const sids = tracked ? ((await ctx.state?.get<string[]>(key)) ?? []) : [];
  for (let i = sids.length; i < plan.length; i++) {
    const probe: ResponseProbe = { status: null, retryAfterMs: null };
    try {
      const created = await withProbe(probe, () =>
        ctx.client.messages.create(plan[i] as MessageListInstanceCreateOptions),
      );
      sids.push(created.sid);
    } catch (err) {
      throw toSendError(err, probe);
    }
    if (tracked && i < plan.length - 1) await ctx.state?.set(key, sids);
  }
  return { providerId: sids[0] ?? null };
}

function textPlan(ctx: SendContext, msg: OutboundMessage, common: MessageListInstanceCreateOptions) {
  const media = (msg.attachments ?? []).map((a) => {
    // A kept file goes out as a signed, expiring link to this router, which Twilio fetches.
    const url = ctx.files?.link(a) ?? a.url;
    if (!url)
      throw permanent(`attachment ${a.name ?? a.contentType} has no URL: Twilio fetches media from a public URL`);
    return url;
  });
  if (media.length > MAX_MEDIA) throw permanent(`${media.length} attachments: Twilio sends at most ${MAX_MEDIA}`);
  const bodies = planBodies(ctx.channel, msg.text, ctx.settings);
  if (bodies.length === 0 && media.length === 0)
    throw permanent('nothing to send: the message has no text and no media');
  if (bodies.length === 0) return [{ ...common, mediaUrl: media }];
  return bodies.map((body, i) => ({ ...common, body, ...(i === 0 && media.length > 0 ? { mediaUrl: media } : {}) }));
}

/** The first part carrying a `contentSid`; a malformed one is a permanent error, not a silent free-form send. */
export function templateOf(parts: unknown[] | undefined): TemplatePart | null {
  const part = parts?.find(
    (p): p is Record<string, unknown> => typeof p === 'object' && p !== null && 'contentSid' in p,
  );
  if (!part) return null;
  const { contentSid, variables } = part;
  if (typeof contentSid !== 'string' || !/^HX[0-9a-f]{32}$/i.test(contentSid)) {
    throw permanent(`template contentSid ${JSON.stringify(contentSid)} is not a Content SID (HX + 32 hex digits)`);
  }
  const vars = variables ?? {};
  if (typeof vars !== 'object' || vars === null || Object.values(vars).some((v) => typeof v !== 'string')) {
    throw permanent('template variables must map names to strings');
  }
  return { contentSid, variables: vars as Record<string, string> };
}

/**
 * WhatsApp allows free-form replies only within the window after the
 * customer's last message, as the core recorded it on the conversation.
 */
function checkWindow(ctx: SendContext, msg: OutboundMessage): void {
  const last = msg.lastInboundAt;
  const hours = ctx.settings.windowHours ?? 24;
  if (last !== null && ctx.clock.now() - last <= hours * HOUR_MS) return;
  const since =
    last === null ? 'no message from the customer is known' : `the last one came ${new Date(last).toISOString()}`;
  throw permanent(
    `WhatsApp free-form messages are allowed only within ${hours} h of the customer's last message, and ${since}; send an approved template (a part with contentSid)`,
    WINDOW_CLOSED,
  );
}
