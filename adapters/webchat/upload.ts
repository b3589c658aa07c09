import { fileTypeFromBuffer } from 'file-type';
import { z } from 'zod';
import {
  type Attachment,
  type ChannelHost,
  type CorsPolicy,
  type Envelope,
  HttpError,
  type HttpRequest,
  type HttpResponse,
  IpRateLimit,
  MediaError,
  parseDuration,
  type RouteRegistry,
  validate,
} from '../../src/channel/index.ts';
import type { WebchatSettings } from './settings.ts';
import { threadKeyOf } from './thread.ts';

/** What a visitor may send, by what the bytes are: photos and PDFs. */
export const UPLOAD_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'application/pdf',
]);

export interface UploadDeps {
  settings: WebchatSettings;
  host: ChannelHost;
  /** The visitor the request's token names (throws 401). */
  visitor: (req: HttpRequest) => string;
  /** The per-address limit the chat's other routes share. */
  limiter: IpRateLimit;
  cors: CorsPolicy;
  withCors: (req: HttpRequest, r: HttpResponse) => HttpResponse;
}

const queryShape = z
  .object({
    clientId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, - or _'),
    name: z.string().max(200).optional(),
  })
  .strict();

/**
 * `POST /webchat/files?clientId=…&name=…` with the file as the body. The type
 * is read from the bytes (a program renamed .png is refused whatever the name
 * or the browser's Content-Type say), the size counted, each visitor limited
 * to `uploads.perVisitor` files per window; the file is kept (scanned first
 * when the scan is on) before the message naming it is stored.
 */
export function registerWebchatUpload(routes: RouteRegistry, d: UploadDeps): void {
  const { settings, host } = d;
  const limits = settings.uploads;
  const perVisitor = new IpRateLimit({
    max: limits.perVisitor.max,
    windowMs: parseDuration(limits.perVisitor.window),
    clock: host.clock,
  });
  const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;

  routes.add(
    'POST',
    '/webchat/files',
    async (req) => {
      d.cors.check(req);
      const visitorId = d.visitor(req);
      if (!limits.enabled) throw new HttpError(403, 'forbidden', 'this chat does not take files');
      const files = host.files;
      if (!files) throw new HttpError(503, 'media_unavailable', 'files cannot be kept by this router');
      const q = validate(Object.fromEntries(req.query), queryShape, 'query');
      d.limiter.take(`file:${req.ip}`);
      perVisitor.take(visitorId);
      const bytes = req.rawBody;
      if (bytes.length === 0) throw new HttpError(400, 'bad_request', 'the file is empty');
      if (bytes.length > limits.maxBytes) {
        throw new HttpError(
          413,
          'payload_too_large',
          `the file is ${mb(bytes.length)}; this chat takes files up to ${mb(limits.maxBytes)}`,
        );
      }
      const sniffed = (await fileTypeFromBuffer(bytes))?.mime ?? null;
      if (!sniffed || !UPLOAD_TYPES.has(sniffed)) {
        const what = sniffed ? `its bytes are ${sniffed}` : 'its bytes are not a type we recognise';
        throw new HttpError(
          415,
          'unsupported_media_type',
          `only photos (JPEG, PNG, GIF, WebP) and PDFs can be sent: ${what}, whatever its name says`,
        );
      }
      let kept: Attachment;
      try {
        kept = await files.keep(bytes, sniffed, q.name ? cleanName(q.name) : undefined);
      } catch (err) {
        if (!(err instanceof MediaError)) throw err;
        host.log.warn({ visitorId, reason: err.message }, 'web chat file not kept');
        throw err.final
          ? new HttpError(422, 'media_refused', err.message)
          : new HttpError(503, 'media_unavailable', `the file could not be kept now (${err.message}); try again`);
      }
      const envelope: Envelope = {
        channel: 'webchat',
        providerId: `${visitorId}:${q.clientId}`,
        touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
        threadKey: threadKeyOf(visitorId),
        from: { kind: 'webchat', value: visitorId },
        text: '',
        attachments: [kept],
        replyRef: { visitorId },
        sentAt: host.clock.now(),
        raw: { clientId: q.clientId, file: { name: kept.name ?? null, type: sniffed, size: kept.size } },
      };
      const result = await host.ingest(envelope);
      return d.withCors(req, { status: 202, body: { id: result.eventId, duplicate: result.duplicate, file: kept } });
    },
    // Up to twice the limit is read and refused with the sizes; anything larger is cut by the server (413) unread.
    { maxBodyBytes: limits.maxBytes * 2 },
  );
}

/** The last path segment of a browser-given name, without control characters. */
function cleanName(name: string): string | undefined {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = [...base]
    .filter((c) => c >= ' ' && c !== '\u007f')
    .join('')
    .trim();
  return clean === '' ? undefined : clean.slice(0, 200);
}
