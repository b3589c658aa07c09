/**
 * Where replies may be posted. Replies go to the `serviceUrl` an activity
 * names; without authentication (no app id) anyone can name any URL, so
 * only URLs on this allow-list are accepted. A pattern is a URL prefix; its
 * host may start with `*.` for any subdomain.
 */
export const DEFAULT_SERVICE_URLS = [
  'https://smba.trafficmanager.net/',
  'https://*.botframework.com/',
  'https://*.botframework.azure.us/',
];

interface Pattern {
  protocol: string;
  port: string;
  host: string;
  wildcard: boolean;
  path: string;
}

/** Null when `pattern` is not a usable URL prefix. */
export function parsePattern(pattern: string): Pattern | null {
  const wildcard = /^[a-z]+:\/\/\*\./i.test(pattern);
  try {
    const u = new URL(wildcard ? pattern.replace('://*.', '://') : pattern);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    if (u.search || u.hash || u.username) return null;
    return { protocol: u.protocol, port: u.port, host: u.hostname, wildcard, path: u.pathname };
  } catch {
    return null;
  }
}

export function serviceUrlAllowed(serviceUrl: string, patterns: string[]): boolean {
  let target: URL;
  try {
    target = new URL(serviceUrl);
  } catch {
    return false;
  }
  if (target.username || target.password) return false;
  return patterns.some((raw) => {
    const p = parsePattern(raw);
    if (!p || target.protocol !== p.protocol || target.port !== p.port) return false;
    const host = p.wildcard ? target.hostname.endsWith(`.${p.host}`) : target.hostname === p.host;
    const path = target.pathname.endsWith('/') ? target.pathname : `${target.pathname}/`;
    return host && path.startsWith(p.path);
  });
}
