/**
 * Thread keys of the Meta channels. `ours` is the Page id (facebook) or the
 * Instagram professional account id (instagram); the channel name itself
 * tells the two platforms apart.
 * - `dm:{ours}:{user}`: a Messenger or Instagram conversation with one person
 *   (PSID or IGSID);
 * - `comment:{ours}:{comment}`: a public comment thread, keyed by its
 *   top-level comment (replies to it stay in the thread);
 * - `pr:{ours}:{comment}`: a private conversation opened by a private reply
 *   to that comment; it keeps this key after the person answers.
 */
export type MetaThread =
  | { kind: 'dm'; ours: string; user: string }
  | { kind: 'comment'; ours: string; comment: string }
  | { kind: 'private-reply'; ours: string; comment: string };

/** Graph ids are digits, comment ids `{post}_{comment}`: never a colon. */
const ID = /^[A-Za-z0-9_.-]+$/;

const PREFIX = { dm: 'dm', comment: 'comment', 'private-reply': 'pr' } as const;

export function encodeThreadKey(t: MetaThread): string {
  const last = t.kind === 'dm' ? t.user : t.comment;
  for (const id of [t.ours, last]) {
    if (!ID.test(id)) throw new TypeError(`not a Graph id: ${JSON.stringify(id)}`);
  }
  return `${PREFIX[t.kind]}:${t.ours}:${last}`;
}

/** Null for a key this adapter did not build. */
export function decodeThreadKey(key: string): MetaThread | null {
  const parts = key.split(':');
  if (parts.length !== 3) return null;
  const [prefix, ours, last] = parts as [string, string, string];
  if (!ID.test(ours) || !ID.test(last)) return null;
  if (prefix === 'dm') return { kind: 'dm', ours, user: last };
  if (prefix === 'comment') return { kind: 'comment', ours, comment: last };
  if (prefix === 'pr') return { kind: 'private-reply', ours, comment: last };
  return null;
}
