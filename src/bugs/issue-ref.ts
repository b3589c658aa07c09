/**
 * An issue as an agent names it: its number (`42`, `#42`) or its address
 * (`https://github.com/harbour/shop/issues/42`, `https://redmine.example/issues/42`).
 * Returns the key and, for an address, the address without query or fragment; null otherwise.
 */
export function issueRefOf(ref: string): { key: string; url: string | null } | null {
  const text = ref.trim();
  const bare = text.startsWith('#') ? text.slice(1) : text;
  if (isKey(bare)) return { key: bare, url: null };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const parts = url.pathname.split('/').filter((p) => p !== '');
  const last = parts.at(-1) ?? '';
  const key = last.endsWith('.json') ? last.slice(0, -'.json'.length) : last;
  if (parts.at(-2) !== 'issues' || !isKey(key)) return null;
  return { key, url: `${url.origin}/${[...parts.slice(0, -1), key].join('/')}` };
}

const isKey = (s: string) => s.length > 0 && s.length <= 12 && [...s].every((c) => c >= '0' && c <= '9');

/** Whether two issue addresses name the same issue (scheme, host and repository path compared without case). */
export function sameIssueUrl(a: string, b: string): boolean {
  const norm = (s: string) => {
    const ref = issueRefOf(s);
    return ref?.url ? ref.url.replace(/^https?:\/\//, '').toLowerCase() : s.toLowerCase();
  };
  return norm(a) === norm(b);
}
