import { forbidden } from '../errors.ts';
import type { HttpRequest, HttpResponse } from './http-types.ts';

/**
 * Cross-origin access for browser APIs other sites may call (the web chat
 * widget, a web form posted with fetch). `allowed` holds origins such as
 * `https://www.example.com`, or `*` for any.
 */
export class CorsPolicy {
  readonly #allowed: ReadonlySet<string>;
  readonly #any: boolean;

  constructor(allowed: readonly string[]) {
    this.#allowed = new Set(allowed.map((o) => o.replace(/\/+$/, '').toLowerCase()));
    this.#any = this.#allowed.has('*');
  }

  /** True for same-origin and non-browser requests, and for origins on the list. */
  allows(req: HttpRequest): boolean {
    const origin = originOf(req);
    return origin === null || isSameOrigin(origin, req) || this.#listed(origin);
  }

  /** Throws 403 when a browser on another site, not on the list, makes the request. */
  check(req: HttpRequest): void {
    if (!this.allows(req)) {
      throw forbidden(`requests from ${originOf(req)} are not allowed; add it to allowedOrigins in channels.yaml`);
    }
  }

  /** The response headers that let the requesting origin read the answer. */
  headers(req: HttpRequest): Record<string, string> {
    const origin = originOf(req);
    if (origin === null || !this.#listed(origin)) return { vary: 'Origin' };
    return { 'access-control-allow-origin': origin, vary: 'Origin' };
  }

  /** Answers an OPTIONS preflight. */
  preflight(req: HttpRequest, methods: string, headers: string): HttpResponse {
    this.check(req);
    return {
      status: 204,
      headers: {
        ...this.headers(req),
        'access-control-allow-methods': methods,
        'access-control-allow-headers': headers,
        'access-control-max-age': '600',
      },
    };
  }

  /** The CSP `frame-ancestors` value: which sites may show our pages in a frame. */
  frameAncestors(): string {
    if (this.#any) return '*';
    return ["'self'", ...[...this.#allowed]].join(' ');
  }

  #listed(origin: string): boolean {
    return this.#any || this.#allowed.has(origin.toLowerCase());
  }
}

function originOf(req: HttpRequest): string | null {
  const o = req.headers.origin;
  return typeof o === 'string' && o !== '' ? o : null;
}

function isSameOrigin(origin: string, req: HttpRequest): boolean {
  try {
    const u = new URL(origin);
    return u.host === req.headers.host || u.origin === new URL(req.publicUrl).origin;
  } catch {
    return false;
  }
}
