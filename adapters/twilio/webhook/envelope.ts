import type { Attachment, Envelope } from '../../../src/channel/index.ts';
import { optOutKind } from '../compliance.ts';
import { encodeThreadKey, isE164, isSender, stripWhatsapp } from '../numbers.ts';
import type { TwilioChannel } from '../settings.ts';
import type { MessageEvent } from './parse.ts';
import type { WebhookParams } from './verify.ts';

/**
 * What a reply needs, kept by the core as the conversation's reply reference.
 * (WhatsApp's 24-hour window is measured from the conversation's
 * `lastInboundAt`, which the core hands over on each outbound message.)
 */
export interface TwilioReplyRef extends Record<string, unknown> {
  ours: string;
  customer: string;
  messageSid: string;
}

/** Null when the sender cannot be answered (an alphanumeric sender ID, a short code). */
export function messageEnvelope(channel: TwilioChannel, e: MessageEvent, params: WebhookParams): Envelope | null {
  const customer = stripWhatsapp(e.from);
  const ours = stripWhatsapp(e.to);
  if (!isE164(customer) || !isSender(ours)) return null;
  const optOut = optOutKind(e.body, e.optOutType);
  const replyRef: TwilioReplyRef = { ours, customer, messageSid: e.sid };
  return {
    channel,
    providerId: e.sid,
    touchpoint: { channel, kind: channel, visibility: 'private' },
    threadKey: encodeThreadKey({ ours, customer }),
    from: { kind: channel === 'whatsapp' ? 'whatsapp' : 'phone', value: customer, verified: true, name: e.profileName },
    text: e.body,
    ...(e.media.length > 0 ? { attachments: e.media } : {}),
    replyRef,
    ...(optOut ? { flags: { optOut } } : {}),
    raw: params,
  };
}

/**
 * A missed call or a voicemail, on the `sms` channel and the same thread as
 * texts between the two numbers, so the core's SMS follow-up lands there.
 * Caller ID can be spoofed, so the number is not marked verified.
 */
export function voiceEnvelope(v: {
  providerId: string;
  ours: string;
  caller: string;
  text: string;
  attachments?: Attachment[];
  params: WebhookParams;
}): Envelope | null {
  if (!isE164(v.caller) || !isSender(v.ours)) return null;
  return {
    channel: 'sms',
    providerId: v.providerId,
    touchpoint: { channel: 'sms', kind: 'voice', visibility: 'private' },
    threadKey: encodeThreadKey({ ours: v.ours, customer: v.caller }),
    from: { kind: 'phone', value: v.caller, verified: false },
    text: v.text,
    ...(v.attachments && v.attachments.length > 0 ? { attachments: v.attachments } : {}),
    replyRef: { ours: v.ours, customer: v.caller },
    raw: v.params,
  };
}
