import type { ChannelHost, HttpRequest, HttpResponse } from '../../../src/channel/index.ts';
import { stripWhatsapp } from '../numbers.ts';
import type { SmsSettings } from '../settings.ts';
import { voiceEnvelope } from '../webhook/envelope.ts';
import type { CallEvent } from '../webhook/parse.ts';
import { ingestThenAnswer, readWebhook, twiml } from '../webhook/routes.ts';
import { verifyWebhook, type WebhookParams } from '../webhook/verify.ts';
import { forwardCall, hangUp, sayAndHangUp, voicemail } from './twiml.ts';

type VoiceSettings = NonNullable<SmsSettings['voice']>;

export const MISSED_CALL_TEXT = 'Missed call';
export const VOICEMAIL_TEXT = 'Voicemail';
export const UNTRANSCRIBED_TEXT = 'Voicemail (no transcription available)';

const ANSWERED = new Set(['completed', 'answered']);

/**
 * `POST {path}`: an incoming call, forwarded in hours, else sent to voicemail.
 * `POST {path}/dial`: the forward's outcome; unanswered goes to voicemail.
 * `POST {path}/recording`, `POST {path}/transcription`: the voicemail.
 * Every unanswered call is stored once as "Missed call" before the caller
 * hears voicemail, and a voicemail as a second message with its audio.
 */
export function registerVoiceRoutes(o: {
  host: ChannelHost;
  authToken: string;
  path: string;
  publicBase: string;
  voice: VoiceSettings;
}): void {
  const { host, voice: v } = o;
  const url = (suffix: string) => `${o.publicBase}${o.path}${suffix}`;
  const transcribe = v.voicemail.enabled && v.voicemail.transcribe;

  const callEvent = async (req: HttpRequest): Promise<{ event: CallEvent; params: WebhookParams } | HttpResponse> => {
    verifyWebhook(req, o.authToken);
    const read = await readWebhook(host, req);
    if (!read) return twiml(hangUp());
    const { params, event } = read;
    if (event.type !== 'call') {
      host.log.warn({ path: req.path, type: event.type }, 'non-call request on a voice webhook ignored');
      return twiml(hangUp());
    }
    return { event, params };
  };

  async function unanswered(event: CallEvent, params: WebhookParams): Promise<HttpResponse> {
    const answer = v.voicemail.enabled
      ? voicemail({
          prompt: v.voicemail.prompt,
          maxLengthSeconds: v.voicemail.maxLengthSeconds,
          recordingUrl: url('/recording'),
          transcriptionUrl: transcribe ? url('/transcription') : null,
          language: v.language,
        })
      : sayAndHangUp(v.closedMessage, v.language);
    // The transcription callback may lack From/To; keep them for it.
    if (transcribe && event.from && event.to) {
      await host.state.set(`call:${event.callSid}`, { from: event.from, to: event.to });
    }
    const envelope = voiceEnvelope({
      providerId: `${event.callSid}:missed`,
      ours: stripWhatsapp(event.to ?? ''),
      caller: event.from ?? '',
      text: MISSED_CALL_TEXT,
      params,
    });
    if (!envelope) {
      host.log.info({ callSid: event.callSid, from: event.from }, 'missed call from a withheld number not stored');
      return twiml(answer);
    }
    return ingestThenAnswer(host, envelope, answer);
  }

  async function voicemailMessage(event: CallEvent, params: WebhookParams, text: string): Promise<HttpResponse> {
    const rec = event.recording;
    if (!rec) return twiml(hangUp());
    const known =
      event.from && event.to ? null : await host.state.get<{ from: string; to: string }>(`call:${event.callSid}`);
    const envelope = voiceEnvelope({
      providerId: rec.sid,
      ours: stripWhatsapp(event.to ?? known?.to ?? ''),
      caller: event.from ?? known?.from ?? '',
      text,
      attachments: [{ name: `${rec.sid}.mp3`, contentType: 'audio/mpeg', url: `${rec.url}.mp3` }],
      params,
    });
    if (!envelope) return twiml(hangUp());
    return ingestThenAnswer(host, envelope, hangUp());
  }

  host.routes.add('POST', o.path, async (req) => {
    const got = await callEvent(req);
    if (!('event' in got)) return got;
    // A host without a calendar has no hours: every call counts as in hours.
    const open = host.isOpen?.(host.clock.now()) ?? true;
    if (open && v.forwardTo) {
      return twiml(
        forwardCall({ forwardTo: v.forwardTo, timeoutSeconds: v.dialTimeoutSeconds, actionUrl: url('/dial') }),
      );
    }
    return unanswered(got.event, got.params);
  });

  host.routes.add('POST', `${o.path}/dial`, async (req) => {
    const got = await callEvent(req);
    if (!('event' in got)) return got;
    if (ANSWERED.has(got.event.dialStatus ?? '')) return twiml(hangUp());
    return unanswered(got.event, got.params);
  });

  host.routes.add('POST', `${o.path}/recording`, async (req) => {
    const got = await callEvent(req);
    if (!('event' in got)) return got;
    const rec = got.event.recording;
    // With transcription on, the voicemail is stored when its text arrives.
    if (transcribe || !rec || rec.durationSeconds === 0) return twiml(hangUp());
    return voicemailMessage(got.event, got.params, VOICEMAIL_TEXT);
  });

  host.routes.add('POST', `${o.path}/transcription`, async (req) => {
    const got = await callEvent(req);
    if (!('event' in got)) return got;
    const t = got.event.transcription;
    const text = t?.status === 'completed' && t.text ? t.text : UNTRANSCRIBED_TEXT;
    return voicemailMessage(got.event, got.params, text);
  });
}
