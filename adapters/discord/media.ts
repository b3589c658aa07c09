import type { Attachment, MediaSource } from '../../src/channel/index.ts';

/**
 * Discord serves attachments from its CDN on signed, expiring links
 * (`ex`, `is`, `hm` in the query) that need no token: only its two CDN hosts.
 */
const HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'];
const TYPES = ['image/*', 'audio/*', 'video/*', 'application/pdf', 'text/plain', 'text/csv'];
/** Discord's upload ceiling for servers without boosts. */
const MAX_BYTES = 25 * 1024 * 1024;

export function discordMediaSource(a: Attachment): MediaSource | null {
  if (!a.url) return null;
  return { url: a.url, hosts: HOSTS, types: TYPES, maxBytes: MAX_BYTES };
}
