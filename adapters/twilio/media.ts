import type { Attachment, FileLimits, MediaSource } from '../../src/channel/index.ts';

/**
 * Where Twilio serves a message's media: the REST API's Media URL, answered
 * with a redirect to Twilio's media CDN. Fetched with the account's Basic
 * auth (needed when media access control is on); the CDN gets no credentials.
 * A voicemail's recording is on the same API, under `/Recordings/`.
 */
const HOSTS = ['api.twilio.com', '*.twiliocdn.com', 'media.twiliocdn.com', 's3-external-1.amazonaws.com'];
/** MMS and WhatsApp media: pictures, sound, video, PDFs and contact cards; 5 MB is MMS's own ceiling. */
const TYPES = ['image/*', 'audio/*', 'video/*', 'application/pdf', 'text/vcard', 'text/x-vcard'];
const MAX_BYTES = 5 * 1024 * 1024;
/** A recording is sound only, and as long as the call allowed: the router's own size limit applies. */
const RECORDING_TYPES = ['audio/*'];

/** What an agent's file may be: MMS takes 5 MB in all; WhatsApp 16 MB of pictures, sound, video or a PDF. */
export function outgoingFileLimits(channel: string): FileLimits {
  return channel === 'whatsapp'
    ? { maxBytes: 16 * 1024 * 1024, types: ['image/jpeg', 'image/png', 'audio/*', 'video/mp4', 'application/pdf'] }
    : { maxBytes: MAX_BYTES, types: TYPES };
}

export function twilioMediaSource(a: Attachment, auth: { accountSid: string; authToken: string }): MediaSource | null {
  if (!a.url) return null;
  const basic = Buffer.from(`${auth.accountSid}:${auth.authToken}`).toString('base64');
  const headers = { authorization: `Basic ${basic}` };
  if (isRecording(a.url)) return { url: a.url, headers, hosts: HOSTS, types: RECORDING_TYPES };
  return { url: a.url, headers, hosts: HOSTS, types: TYPES, maxBytes: MAX_BYTES };
}

function isRecording(url: string): boolean {
  try {
    return new URL(url).pathname.includes('/Recordings/');
  } catch {
    return false;
  }
}
