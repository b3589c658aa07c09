/**
 * What the fake Graph API remembers of the messages and comments it has
 * seen, and the read edges that serve them in Graph's shapes: a Page's or
 * Instagram account's conversations (`GET /{id}/conversations?platform=…
 * &user_id=…&fields=…`), a conversation's messages (`/{conversation}/messages`,
 * newest first), a Facebook comment's replies (`/{comment}/comments`, oldest
 * first unless `order=reverse_chronological`), an Instagram comment's
 * (`/{comment}/replies`) and a comment node (`/{comment}?fields=can_reply_privately`).
 * Lists come as `{data, paging: {cursors: {before, after}, next?}}`, `next`
 * an absolute URL carrying the access token as Graph's do; `fields`
 * (with nested `edge.limit(n){…}`) picks what each item shows, `id` always.
 */

export interface StoredMessage {
  id: string;
  text: string;
  at: number;
  from: string;
  to: string;
}

interface Conversation {
  id: string;
  /** The Page or Instagram account. */
  ours: string;
  user: string;
  messages: StoredMessage[];
}

interface Reply {
  id: string;
  text: string;
  at: number;
  from: string;
}

export type Answer =
  | { status: number; body: unknown }
  | { error: { status: number; code: number; message: string; subcode?: number } };

/** Graph's time format: `2026-01-05T09:00:00+0000`. */
export const graphTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}+0000`;

interface Field {
  name: string;
  limit: number | null;
  sub: Field[] | null;
}

/** `id,messages.limit(5){message,from}` → its fields; null when it does not parse. */
export function parseFields(s: string): Field[] | null {
  let i = 0;
  const list = (): Field[] | null => {
    const out: Field[] = [];
    for (;;) {
      const name = /^[a-z_]+/.exec(s.slice(i))?.[0];
      if (!name) return null;
      i += name.length;
      let limit: number | null = null;
      const lim = /^\.limit\((\d+)\)/.exec(s.slice(i));
      if (lim) {
        limit = Number(lim[1]);
        i += lim[0].length;
      }
      let sub: Field[] | null = null;
      if (s[i] === '{') {
        i++;
        sub = list();
        if (!sub || s[i] !== '}') return null;
        i++;
      }
      out.push({ name, limit, sub });
      if (s[i] !== ',') return out;
      i++;
    }
  };
  const fields = list();
  return fields && i === s.length ? fields : null;
}

const cursor = (n: number) => Buffer.from(`n:${n}`).toString('base64url');
const fromCursor = (c: string | null) => {
  const m = c ? /^n:(\d+)$/.exec(Buffer.from(c, 'base64url').toString()) : null;
  return m ? Number(m[1]) : 0;
};

export class GraphReads {
  readonly #conversations = new Map<string, Conversation>();
  /** Replies under each comment, oldest first. */
  readonly #replies = new Map<string, Reply[]>();
  readonly #instagram: Set<string>;
  #seq = 0;

  constructor(instagramAccounts: Iterable<string>) {
    this.#instagram = new Set(instagramAccounts);
  }

  /** A message between `ours` and a person, either way. */
  message(ours: string, user: string, m: Omit<StoredMessage, 'to'>): void {
    const key = `${ours}:${user}`;
    let c = this.#conversations.get(key);
    if (!c) {
      c = { id: `t_${++this.#seq}${user}`, ours, user, messages: [] };
      this.#conversations.set(key, c);
    }
    if (c.messages.some((x) => x.id === m.id)) return;
    c.messages.push({ ...m, to: m.from === ours ? user : ours });
  }

  reply(comment: string, r: Reply): void {
    const list = this.#replies.get(comment) ?? [];
    list.push(r);
    this.#replies.set(comment, list);
  }

  /** Serves a GET of `/{version}/{node}[/{edge}]`; null when no such read edge. */
  get(
    base: string,
    version: string,
    node: string,
    edge: string | null,
    q: URLSearchParams,
    pages: Set<string>,
    canReplyPrivately: (comment: string) => boolean | null,
  ): Answer | null {
    const fields = parseFields(q.get('fields') ?? 'id');
    if (!fields) return bad(`(#100) Syntax error in fields "${q.get('fields')}"`);
    const limit = Math.min(Number(q.get('limit') ?? 25) || 25, 100);
    const after = fromCursor(q.get('after'));
    const next = (path: string, at: number) => {
      const p = new URLSearchParams(q);
      p.set('limit', String(limit));
      p.set('after', cursor(at));
      return `${base}/${version}/${path}?${p}`;
    };
    const list = <T>(items: T[], show: (t: T) => unknown, path: string, start = 0, n = limit) => {
      const page = items.slice(start, start + n);
      const more = start + n < items.length;
      return {
        data: page.map(show),
        paging: {
          cursors: { before: cursor(start), after: cursor(start + page.length) },
          ...(more ? { next: next(path, start + page.length) } : {}),
        },
      };
    };

    if (edge === 'conversations') {
      if (!pages.has(node)) return unknownObject(node);
      const platform = q.get('platform') ?? 'messenger';
      const ig = this.#instagram.has(node);
      if (platform !== (ig ? 'instagram' : 'messenger'))
        return bad(`(#100) platform must be ${ig ? 'instagram' : 'messenger'} for this object`);
      const user = q.get('user_id');
      const convs = [...this.#conversations.values()]
        .filter((c) => c.ours === node && (user === null || c.user === user))
        .sort((a, b) => lastAt(b) - lastAt(a));
      return ok(
        list(convs, (c) => this.#showConversation(base, version, c, fields, ig), `${node}/conversations`, after),
      );
    }
    if (edge === 'messages') {
      const c = [...this.#conversations.values()].find((x) => x.id === node);
      if (!c) return unknownObject(node);
      const ig = this.#instagram.has(c.ours);
      return ok(list(newestFirst(c.messages), (m) => showMessage(m, fields, ig), `${node}/messages`, after));
    }
    if (edge === 'comments' || edge === 'replies') {
      const replies = this.#replies.get(node) ?? [];
      const reverse = edge === 'comments' && q.get('order') === 'reverse_chronological';
      const ordered = reverse ? [...replies].reverse() : replies;
      const ig = edge === 'replies';
      return ok(list(ordered, (r) => showReply(r, fields, ig), `${node}/${edge}`, after));
    }
    if (edge === null && fields.some((f) => f.name === 'can_reply_privately')) {
      const can = canReplyPrivately(node);
      if (can === null) return unknownObject(node);
      return ok({ id: node, can_reply_privately: can });
    }
    return null;
  }

  #showConversation(base: string, version: string, c: Conversation, fields: Field[], ig: boolean) {
    const out: Record<string, unknown> = { id: c.id };
    for (const f of fields) {
      if (f.name === 'updated_time') out.updated_time = graphTime(lastAt(c));
      if (f.name === 'messages') {
        const n = f.limit ?? 25;
        const sub = f.sub ?? [{ name: 'id', limit: null, sub: null }];
        const msgs = newestFirst(c.messages);
        const page = msgs.slice(0, n);
        const q = new URLSearchParams({ fields: sub.map((x) => x.name).join(','), limit: String(n) });
        out.messages = {
          data: page.map((m) => showMessage(m, sub, ig)),
          paging: {
            cursors: { before: cursor(0), after: cursor(page.length) },
            ...(msgs.length > n ? { next: `${base}/${version}/${c.id}/messages?${q}&after=${cursor(n)}` } : {}),
          },
        };
      }
    }
    return out;
  }
}

const lastAt = (c: Conversation) => Math.max(0, ...c.messages.map((m) => m.at));
const newestFirst = (ms: StoredMessage[]) => [...ms].sort((a, b) => b.at - a.at);
const who = (id: string, ig: boolean) => (ig ? { username: `user${id}`, id } : { name: `Person ${id}`, id });

function showMessage(m: StoredMessage, fields: Field[], ig: boolean) {
  const out: Record<string, unknown> = { id: m.id };
  for (const f of fields) {
    if (f.name === 'message') out.message = m.text;
    if (f.name === 'created_time') out.created_time = graphTime(m.at);
    if (f.name === 'from') out.from = who(m.from, ig);
    if (f.name === 'to') out.to = { data: [who(m.to, ig)] };
  }
  return out;
}

/** Facebook comments have `message` and `created_time`; Instagram's `text`, `timestamp` and `username`. */
function showReply(r: Reply, fields: Field[], ig: boolean) {
  const out: Record<string, unknown> = { id: r.id };
  for (const f of fields) {
    if (!ig && f.name === 'message') out.message = r.text;
    if (!ig && f.name === 'created_time') out.created_time = graphTime(r.at);
    if (ig && f.name === 'text') out.text = r.text;
    if (ig && f.name === 'timestamp') out.timestamp = graphTime(r.at);
    if (ig && f.name === 'username') out.username = `user${r.from}`;
    if (f.name === 'from') out.from = who(r.from, ig);
  }
  return out;
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const bad = (message: string): Answer => ({ error: { status: 400, code: 100, message } });
const unknownObject = (id: string): Answer => ({
  error: {
    status: 400,
    code: 100,
    subcode: 33,
    message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
  },
});
