import type { Attachment, MediaSource } from '../../src/channel/index.ts';

/**
 * Where Meta serves what a person sends in Messenger or an Instagram DM: the
 * webhook's `payload.url`, a signed link on Meta's CDN (Messenger's lookaside
 * host, fbcdn, Instagram's CDN) that needs no token. Only those hosts, and
 * only the content the attachment's type announces.
 */
const HOSTS = ['lookaside.fbsbx.com', '*.fbsbx.com', '*.fbcdn.net', '*.cdninstagram.com'];
/** Meta's attachment types and the content each may be; anything else (location, template, fallback) is not a file. */
const TYPES: Record<string, readonly string[]> = {
  image: ['image/*'],
  video: ['video/*'],
  audio: ['audio/*'],
  file: ['application/pdf', 'text/plain', 'text/csv', 'image/*', 'audio/*', 'video/*'],
};
/** Messenger's own attachment ceiling. */
const MAX_BYTES = 25 * 1024 * 1024;

export function metaMediaSource(a: Attachment): MediaSource | null {
  const types = TYPES[a.contentType];
  if (!a.url || !types) return null;
  return { url: a.url, hosts: HOSTS, types, maxBytes: MAX_BYTES };
}
