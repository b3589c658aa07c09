import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Slack's external file upload, as `files.uploadV2` of @slack/web-api drives
 * it: `files.getUploadURLExternal` (a file name and its length) gives a file
 * id and a one-time upload URL; the bytes are POSTed there (the SDK sends them
 * as multipart form data); `files.completeUploadExternal` (once per file) shares
 * the uploaded files in `channel_id`, in the thread `thread_ts` when given, which
 * must be a message of that channel, never a reply. A file not uploaded, or
 * uploaded with another length than announced, cannot be completed.
 */
export interface SlackUpload {
  id: string;
  filename: string;
  title: string | null;
  bytes: Buffer;
  channel: string;
  threadTs: string | null;
  initialComment: string | null;
}

interface Pending {
  id: string;
  filename: string;
  length: number;
  bytes: Buffer | null;
  completed: boolean;
}

type Answer = { status: number; body: unknown };

export class FakeSlackFiles {
  /** Files shared in a channel, in the order they were completed. */
  readonly shared: SlackUpload[] = [];
  readonly #pending = new Map<string, Pending>();
  readonly #byUploadKey = new Map<string, string>();
  readonly #base: () => string;

  constructor(base: () => string) {
    this.#base = base;
  }

  /** `files.getUploadURLExternal` */
  uploadUrl(p: Record<string, unknown>): Answer {
    const filename = typeof p.filename === 'string' ? p.filename : '';
    const length = Number(p.length);
    if (!filename || !Number.isInteger(length) || length < 1) {
      return { status: 200, body: { ok: false, error: 'invalid_arguments' } };
    }
    const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
    const key = randomBytes(12).toString('hex');
    this.#pending.set(id, { id, filename, length, bytes: null, completed: false });
    this.#byUploadKey.set(key, id);
    return { status: 200, body: { ok: true, upload_url: `${this.#base()}/upload/v1/${key}`, file_id: id } };
  }

  /** A POST to an upload URL: the bytes, raw or as the one part of a multipart form. */
  async receive(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const key = /^\/upload\/v1\/([0-9a-f]+)$/.exec(req.url ?? '')?.[1];
    if (!key) return false;
    const pending = this.#pending.get(this.#byUploadKey.get(key) ?? '');
    this.#byUploadKey.delete(key);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    if (!pending || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not found');
      return true;
    }
    const type = String(req.headers['content-type'] ?? '');
    if (type.startsWith('multipart/form-data')) {
      const form = await new Request('http://upload', { method: 'POST', headers: { 'content-type': type }, body: raw })
        .formData()
        .catch(() => null);
      const part = form ? [...form.values()].find((v): v is File => typeof v !== 'string') : undefined;
      pending.bytes = part ? Buffer.from(await part.arrayBuffer()) : Buffer.alloc(0);
    } else {
      pending.bytes = raw;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${pending.bytes.length}`);
    return true;
  }

  /** `files.completeUploadExternal`; `post` puts the message that shows the files in the channel (or thread). */
  complete(
    p: Record<string, unknown>,
    channelExists: (id: string) => boolean,
    isRoot: (channel: string, ts: string) => boolean,
    post: (channel: string, threadTs: string | null, text: string, files: string[]) => void,
  ): Answer {
    const fail = (error: string) => ({ status: 200, body: { ok: false, error } });
    let files: Array<{ id?: unknown; title?: unknown }>;
    try {
      files = typeof p.files === 'string' ? JSON.parse(p.files) : (p.files as typeof files);
    } catch {
      return fail('invalid_arguments');
    }
    if (!Array.isArray(files) || files.length === 0) return fail('invalid_arguments');
    const found = files.map((f) => this.#pending.get(String(f.id ?? '')));
    if (found.some((f) => !f || f.completed || f.bytes === null)) return fail('file_not_found');
    if (found.some((f) => f && f.bytes?.length !== f.length)) return fail('file_upload_size_mismatch');
    const channel = typeof p.channel_id === 'string' ? p.channel_id : null;
    const threadTs = typeof p.thread_ts === 'string' && p.thread_ts ? p.thread_ts : null;
    if (channel && !channelExists(channel)) return fail('channel_not_found');
    if (channel && threadTs && !isRoot(channel, threadTs)) return fail('invalid_thread_ts');
    const comment = typeof p.initial_comment === 'string' ? p.initial_comment : null;
    const done = found.map((f, i) => {
      const pending = f as Pending;
      pending.completed = true;
      const title = typeof files[i]?.title === 'string' ? (files[i]?.title as string) : null;
      if (channel) {
        this.shared.push({
          id: pending.id,
          filename: pending.filename,
          title,
          bytes: pending.bytes as Buffer,
          channel,
          threadTs,
          initialComment: comment,
        });
      }
      return { id: pending.id, title: title ?? pending.filename, name: pending.filename, size: pending.length };
    });
    if (channel)
      post(
        channel,
        threadTs,
        comment ?? '',
        done.map((f) => f.id),
      );
    return { status: 200, body: { ok: true, files: done } };
  }
}
