import { type Attachment, badRequest } from '../../../src/channel/index.ts';
import { param, type WebhookParams } from './verify.ts';

/** An inbound SMS, MMS or WhatsApp message. `from` and `to` keep Twilio's form (`whatsapp:+…` included). */
export interface MessageEvent {
  type: 'message';
  sid: string;
  from: string;
  to: string;
  body: string;
  media: Attachment[];
  optOutType: string | null;
  /** WhatsApp's display name of the sender. */
  profileName: string | null;
}

/** A delivery report for one of our messages. */
export interface StatusEvent {
  type: 'status';
  sid: string;
  /** Twilio's status word: queued, sent, delivered, undelivered, failed, read … */
  status: string;
  errorCode: string | null;
}

/** Any request about a phone call: the call itself, a dial result, a recording, a transcription. */
export interface CallEvent {
  type: 'call';
  callSid: string;
  from: string | null;
  to: string | null;
  /** `completed`, `answered`, `busy`, `no-answer`, `failed`, `canceled` on a dial result. */
  dialStatus: string | null;
  recording: { sid: string; url: string; durationSeconds: number | null } | null;
  transcription: { status: string; text: string | null } | null;
}

export interface UnsupportedEvent {
  type: 'unsupported';
  reason: string;
}

export type TwilioEvent = MessageEvent | StatusEvent | CallEvent | UnsupportedEvent;

const INBOUND_STATUSES = new Set(['received', 'receiving']);
/** Twilio sends at most 10 media items per message. */
const MAX_MEDIA = 10;

/** Classifies a verified webhook's parameters; throws 400 when a field the kind needs is missing. */
export function parseWebhook(params: WebhookParams): TwilioEvent {
  const callSid = param(params, 'CallSid');
  if (callSid) return parseCall(params, callSid);
  const sid = param(params, 'MessageSid') ?? param(params, 'SmsMessageSid') ?? param(params, 'SmsSid');
  if (!sid) return { type: 'unsupported', reason: 'neither MessageSid nor CallSid' };
  const status = param(params, 'MessageStatus') ?? param(params, 'SmsStatus');
  if (status && !INBOUND_STATUSES.has(status)) {
    return { type: 'status', sid, status, errorCode: param(params, 'ErrorCode') };
  }
  return {
    type: 'message',
    sid,
    from: required(params, 'From'),
    to: required(params, 'To'),
    body: param(params, 'Body') ?? '',
    media: parseMedia(params),
    optOutType: param(params, 'OptOutType'),
    profileName: param(params, 'ProfileName'),
  };
}

function parseCall(params: WebhookParams, callSid: string): CallEvent {
  const recordingSid = param(params, 'RecordingSid');
  const recordingUrl = param(params, 'RecordingUrl');
  const duration = Number(param(params, 'RecordingDuration') ?? Number.NaN);
  const transcriptionStatus = param(params, 'TranscriptionStatus');
  return {
    type: 'call',
    callSid,
    from: param(params, 'From'),
    to: param(params, 'To'),
    dialStatus: param(params, 'DialCallStatus'),
    recording:
      recordingSid && recordingUrl
        ? { sid: recordingSid, url: recordingUrl, durationSeconds: Number.isFinite(duration) ? duration : null }
        : null,
    transcription: transcriptionStatus
      ? { status: transcriptionStatus, text: param(params, 'TranscriptionText') }
      : null,
  };
}

function parseMedia(params: WebhookParams): Attachment[] {
  const count = Number(param(params, 'NumMedia') ?? '0');
  if (!Number.isInteger(count) || count < 0 || count > MAX_MEDIA) {
    throw badRequest(`NumMedia must be a whole number from 0 to ${MAX_MEDIA}`);
  }
  const media: Attachment[] = [];
  for (let i = 0; i < count; i++) {
    const url = param(params, `MediaUrl${i}`);
    if (!url) throw badRequest(`NumMedia is ${count} but MediaUrl${i} is missing`);
    media.push({ url, contentType: param(params, `MediaContentType${i}`) ?? 'application/octet-stream' });
  }
  return media;
}

function required(params: WebhookParams, name: string): string {
  const v = param(params, name);
  if (!v) throw badRequest(`missing ${name}`);
  return v;
}
