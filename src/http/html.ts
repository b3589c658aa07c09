const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

export interface PageOptions {
  /** Sites that may frame the page (CSP `frame-ancestors`); only our own unless the page is meant to be embedded. */
  frameAncestors?: string;
  /** A small page with its style inline and no script at all (the web form's answers). */
  inlineStyleOnly?: boolean;
}

/**
 * Headers for every HTML page we send: a content security policy that loads
 * nothing from elsewhere and says who may frame the page, no MIME sniffing,
 * no referrer to other sites. The one place they are written.
 */
export function pageHeaders(o: PageOptions = {}): Record<string, string> {
  const own = !o.inlineStyleOnly;
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': [
      "default-src 'none'",
      `script-src ${own ? "'self'" : "'none'"}`,
      `style-src ${own ? "'self'" : "'unsafe-inline'"}`,
      `connect-src ${own ? "'self'" : "'none'"}`,
      `img-src ${own ? "'self' data:" : "'none'"}`,
      // Voicemails on the dashboard's transcripts play from our own route.
      `media-src ${own ? "'self'" : "'none'"}`,
      "base-uri 'none'",
      "form-action 'self'",
      `frame-ancestors ${o.frameAncestors ?? "'self'"}`,
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'cache-control': own ? 'no-cache' : 'no-store',
  };
}
