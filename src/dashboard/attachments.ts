import { notFound } from '../errors.ts';
import { escapeHtml as e } from '../http/html.ts';
import type { HttpResponse } from '../http/http-types.ts';
import type { Attachment, Message } from '../model/types.ts';
import type { DashboardDeps } from './deps.ts';
import type { PageHandler } from './guard.ts';

/**
 * Files on a transcript: pictures shown inline, sound (a voicemail) as a
 * player with its transcription, anything else as a download link with its
 * name, type and size; a file not kept says why. The bytes come through the
 * dashboard's own signed-in route, never from the provider.
 */

/** Types a browser may show from our origin; anything else is downloaded (an SVG or HTML page could run script). */
const INLINE = /^(image\/(png|jpeg|gif|webp|avif)|audio\/[a-z0-9.+-]+|video\/(mp4|webm|ogg)|application\/pdf)$/;

export const fileUrl = (conversationId: string, messageId: string, index: number) =>
  `/admin/conversations/${encodeURIComponent(conversationId)}/files/${encodeURIComponent(messageId)}/${index}`;

export function size(bytes: number | undefined): string {
  if (bytes === undefined) return 'size unknown';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const isAudio = (a: Attachment) => a.contentType.startsWith('audio/');

const KINDS: Array<[string, string]> = [
  ['image/', 'Photo'],
  ['audio/', 'Recording'],
  ['video/', 'Video'],
  ['application/pdf', 'PDF'],
];
const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'application/pdf': 'pdf',
  'video/mp4': 'mp4',
};

/** The name a file shows under: the customer's own, else its kind and place ("Photo 1"), with an extension to save it by. */
export function fileName(a: Attachment, index: number): { shown: string; saved: string } {
  if (a.name) return { shown: a.name, saved: a.name.replace(/[^\w.() -]/g, '_') };
  const kind = KINDS.find(([prefix]) => a.contentType.startsWith(prefix))?.[1] ?? 'File';
  const ext = EXTENSIONS[a.contentType] ?? 'bin';
  return { shown: `${kind} ${index + 1}`, saved: `${kind.toLowerCase()}-${index + 1}.${ext}` };
}

function one(m: Message, a: Attachment, index: number): string {
  const { shown: name, saved } = fileName(a, index);
  const facts = `${e(name)} · ${e(a.contentType)} · ${e(size(a.size))}`;
  if (!a.blobKey) {
    const why = a.error ? `could not be fetched: ${e(a.error)}` : 'is being fetched';
    return `<li class="file missing">${facts} — ${why}</li>`;
  }
  const url = e(fileUrl(m.conversationId, m.id, index));
  if (a.contentType.startsWith('image/') && INLINE.test(a.contentType)) {
    return `<li class="file"><figure><a href="${url}"><img src="${url}" alt="${e(`Picture sent: ${name}`)}" loading="lazy"></a><figcaption>${facts}</figcaption></figure></li>`;
  }
  if (isAudio(a)) {
    const label = m.direction === 'inbound' ? 'Voicemail' : 'Recording';
    return `<li class="file"><figure><figcaption>${label}: ${facts}</figcaption><audio controls preload="none" src="${url}"><a href="${url}">Download the recording</a></audio></figure></li>`;
  }
  return `<li class="file"><a href="${url}" download="${e(saved)}">${e(name)}</a> · ${e(a.contentType)} · ${e(size(a.size))}</li>`;
}

/** The attachments of one transcript message, or nothing. */
export function attachmentsHtml(m: Message): string {
  if (m.attachments.length === 0) return '';
  return `<ul class="files" aria-label="Attachments">${m.attachments.map((a, i) => one(m, a, i)).join('')}</ul>`;
}

/** A voicemail's text is its transcription: said so beside the player. */
export const transcriptionLabel = (m: Message) =>
  m.direction === 'inbound' && m.attachments.some((a) => isAudio(a) && a.blobKey) ? 'Transcription: ' : '';

/** GET /admin/conversations/:id/files/:messageId/:index: a kept file of that message, to a signed-in user. */
export function filePage(d: DashboardDeps): PageHandler {
  return async (req): Promise<HttpResponse> => {
    const { id = '', messageId = '', index = '' } = req.params;
    const messages = await d.store.listMessages(id, { includeInternal: true, limit: 1000 });
    const at = Number(index);
    const a = messages.find((m) => m.id === messageId)?.attachments[at];
    const bytes = a?.blobKey && d.blobs ? await d.blobs.get(a.blobKey) : null;
    if (!a || !bytes) throw notFound('no such file');
    const inline = INLINE.test(a.contentType);
    const name = fileName(a, at).saved;
    return {
      status: 200,
      headers: {
        'content-type': inline ? a.contentType : 'application/octet-stream',
        'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${name}"`,
        'content-security-policy': "default-src 'none'; sandbox",
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, max-age=300',
      },
      body: bytes,
    };
  };
}
