import type { Attachment } from '../../src/channel/index.ts';

/**
 * A file a Teams user shares with the bot arrives as a file card: its
 * `contentUrl` is the SharePoint page of the file, and `content.downloadUrl` a
 * pre-authenticated, short-lived link to the bytes on the tenant's SharePoint
 * host. That link is what is fetched, with no token (the link carries its own).
 */
export const TEAMS_FILE_CARD = 'application/vnd.microsoft.teams.file.download.info';

/** The hosts a file card's download link may point at. */
export const TEAMS_FILE_HOSTS = ['*.sharepoint.com'];

const MIME_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  txt: 'text/plain',
  csv: 'text/csv',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
};

/** The attachment a Teams file card stands for, or null when it is not one (or has no download link). */
export function teamsFileAttachment(a: {
  contentType: string;
  name?: string | null;
  content?: unknown;
}): Attachment | null {
  if (a.contentType !== TEAMS_FILE_CARD) return null;
  const content = (a.content ?? {}) as { downloadUrl?: unknown; fileType?: unknown };
  if (typeof content.downloadUrl !== 'string') return null;
  const extension = typeof content.fileType === 'string' ? content.fileType.toLowerCase() : '';
  return {
    contentType: MIME_BY_EXTENSION[extension] ?? 'application/octet-stream',
    url: content.downloadUrl,
    ...(a.name ? { name: a.name } : {}),
  };
}

/** Whether `url` is on a host a file card's download link may use. */
export function onTeamsFileHost(url: string): boolean {
  try {
    return new URL(url).hostname.toLowerCase().endsWith('.sharepoint.com');
  } catch {
    return false;
  }
}
