import type { Attachment, MediaSource } from '../../src/channel/index.ts';
import { parsePattern, serviceUrlAllowed } from './service-urls.ts';
import { onTeamsFileHost, TEAMS_FILE_HOSTS } from './teams-files.ts';

/** Files a person attaches (Web Chat uploads, Teams inline images): cards and other rich content are not files. */
const TYPES = ['image/*', 'audio/*', 'video/*', 'application/pdf', 'text/plain', 'text/csv'];

/**
 * Where a Bot Framework channel serves an attachment: its `contentUrl`, on the
 * channel's own service (Direct Line's attachment store, Teams' connector),
 * which takes the bot's connector token as replies do. Only the hosts of the
 * allowed service URLs; the token only to a URL under one of them.
 */
export async function botframeworkMediaSource(
  a: Attachment,
  serviceUrls: readonly string[],
  connectorToken: () => Promise<string | null>,
): Promise<MediaSource | null> {
  if (!a.url) return null;
  // A Teams file card's download link carries its own authorisation: no token, and only SharePoint's hosts.
  if (onTeamsFileHost(a.url)) return { url: a.url, hosts: TEAMS_FILE_HOSTS, types: TYPES };
  const hosts = serviceUrls.flatMap((p) => {
    const parsed = parsePattern(p);
    return parsed ? [parsed.wildcard ? `*.${parsed.host}` : parsed.host] : [];
  });
  const token = serviceUrlAllowed(a.url, [...serviceUrls]) ? await connectorToken() : null;
  return {
    url: a.url,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    hosts,
    types: TYPES,
  };
}
