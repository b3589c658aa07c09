import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { BlobStore } from '../blobs/contract.ts';
import { hashOfKey } from '../blobs/contract.ts';
import type { Clock } from '../clock.ts';
import { forbidden, notFound } from '../errors.ts';
import type { HttpResponse, RouteRegistry } from '../http/http-types.ts';
import type { Store } from '../store/contract.ts';

/**
 * Signed, expiring links to kept files, for whoever cannot send our
 * credentials: Twilio fetching an agent's file for an MMS, a desk link. The
 * signature (HMAC-SHA256) covers the hash, the content type and the expiry,
 * so a link cannot be stretched, retyped or pointed at another file.
 */
export const MEDIA_PATH = '/media';

export interface MediaLinks {
  /** A link to the blob `sha256/<hash>` valid for the configured time from now. */
  link(blobKey: string, contentType: string): string | null;
  /** Checks a link's query against its path; throws 403 with the reason when it is wrong or expired. */
  verify(hash: string, query: URLSearchParams): { contentType: string };
}

/** The signing key: TOUCHPOINT_MEDIA_KEY, else one generated once and kept in the store (shared by every router). */
export async function resolveMediaKey(store: Store, env = process.env): Promise<Buffer> {
  const fromEnv = env.TOUCHPOINT_MEDIA_KEY;
  if (fromEnv) return Buffer.from(fromEnv);
  const kept = await store.getState<string>('core', 'mediaKey');
  if (kept) return Buffer.from(kept, 'base64url');
  const key = randomBytes(32);
  await store.setState('core', 'mediaKey', key.toString('base64url'));
  return key;
}

export function createMediaLinks(o: { key: Buffer; publicUrl: string; ttlMs: number; clock: Clock }): MediaLinks {
  const sign = (hash: string, type: string, expires: number) =>
    createHmac('sha256', o.key).update(`${hash}\n${type}\n${expires}`).digest('base64url');
  const base = o.publicUrl.replace(/\/+$/, '');
  return {
    link(blobKey, contentType) {
      const hash = hashOfKey(blobKey);
      if (!hash) return null;
      const expires = Math.floor((o.clock.now() + o.ttlMs) / 1000);
      const q = new URLSearchParams({ t: contentType, e: String(expires), s: sign(hash, contentType, expires) });
      return `${base}${MEDIA_PATH}/${hash}?${q}`;
    },
    verify(hash, query) {
      const type = query.get('t') ?? '';
      const expires = Number(query.get('e'));
      const given = Buffer.from(query.get('s') ?? '');
      const wanted = Buffer.from(sign(hash, type, expires));
      if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw forbidden('wrong signature');
      if (!Number.isInteger(expires) || expires * 1000 < o.clock.now()) throw forbidden('link expired');
      return { contentType: type };
    },
  };
}

/** `GET /media/:hash?t=&e=&s=`: the file, when the link is signed and current; 403 otherwise. */
export function registerMediaRoute(routes: RouteRegistry, links: MediaLinks, blobs: BlobStore): void {
  routes.add('GET', `${MEDIA_PATH}/:hash`, async (req): Promise<HttpResponse> => {
    const hash = req.params.hash ?? '';
    const { contentType } = links.verify(hash, req.query);
    const bytes = await blobs.get(`sha256/${hash}`);
    if (!bytes) throw notFound('no such file');
    return {
      status: 200,
      headers: {
        'content-type': contentType,
        'x-content-type-options': 'nosniff',
        'content-disposition': 'inline',
        'cache-control': 'private, max-age=300',
      },
      body: bytes,
    };
  });
}
