import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Discord's REST answers as plain functions of a request: routing, auth and
 * the JSON error bodies and rate-limit headers Discord sends, so that
 * @discordjs/rest reacts to them as it does to the real API.
 */

export type Scripted =
  | { status: 429; retryAfterSeconds: number; global?: boolean }
  | { status: number; code?: number; message?: string }
  | { drop: true };

export interface RestReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function json(res: ServerResponse, reply: RestReply): void {
  res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
  res.end(JSON.stringify(reply.body));
}

export function scriptedReply(s: Exclude<Scripted, { drop: true }>): RestReply {
  if (s.status === 429 && 'retryAfterSeconds' in s) {
    const after = String(s.retryAfterSeconds);
    return {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: s.retryAfterSeconds, global: s.global === true },
      headers: {
        'retry-after': after,
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': after,
        'x-ratelimit-bucket': 'fake-bucket',
        'x-ratelimit-scope': 'user',
        ...(s.global ? { 'x-ratelimit-global': 'true' } : {}),
      },
    };
  }
  const code = 'code' in s ? (s.code ?? 0) : 0;
  const message = 'message' in s ? (s.message ?? `error ${s.status}`) : `error ${s.status}`;
  return { status: s.status, body: { code, message } };
}

export const errors = {
  unauthorized: { status: 401, body: { code: 0, message: '401: Unauthorized' } },
  unknownChannel: { status: 404, body: { code: 10003, message: 'Unknown Channel' } },
  unknownUser: { status: 404, body: { code: 10013, message: 'Unknown User' } },
  cannotDm: { status: 403, body: { code: 50007, message: 'Cannot send messages to this user' } },
  notFound: { status: 404, body: { code: 0, message: '404: Not Found' } },
  badBody: { status: 400, body: { code: 50109, message: 'The request body contains invalid JSON.' } },
  tooLarge: { status: 413, body: { code: 40005, message: 'Request entity too large' } },
  emptyMessage: { status: 400, body: { code: 50006, message: 'Cannot send an empty message' } },
  contentTooLong: {
    status: 400,
    body: {
      code: 50035,
      message: 'Invalid Form Body',
      errors: {
        content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] },
      },
    },
  },
} satisfies Record<string, RestReply>;

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A file of a multipart create-message request, by its form field (`files[n]`). */
export interface UploadedFile {
  index: number;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** Discord's upload limit per file without a server boost. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/**
 * A create-message body as Discord reads it: JSON, or multipart/form-data with the JSON in
 * `payload_json` and files in `files[n]` fields, each named by an `attachments[]` entry whose `id`
 * is n. Anything else is an error reply, as Discord gives.
 */
export async function readMessageBody(
  req: IncomingMessage,
): Promise<{ body: Record<string, unknown>; files: UploadedFile[] } | { error: RestReply }> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) {
    const body = await readJson(req);
    return body === null ? { error: errors.badBody } : { body, files: [] };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let form: FormData;
  try {
    form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': type } }).formData();
  } catch {
    return { error: errors.badBody };
  }
  const json = form.get('payload_json');
  let body: Record<string, unknown>;
  try {
    body = typeof json === 'string' ? (JSON.parse(json) as Record<string, unknown>) : {};
  } catch {
    return { error: errors.badBody };
  }
  const listed = Array.isArray(body.attachments)
    ? (body.attachments as Array<{ id?: unknown; filename?: unknown }>)
    : [];
  const files: UploadedFile[] = [];
  for (const [field, value] of form.entries()) {
    if (field === 'payload_json') continue;
    const index = /^files\[(\d+)\]$/.exec(field)?.[1];
    if (index === undefined || typeof value === 'string')
      return { error: invalidForm(`unexpected form field ${field}`) };
    const entry = listed.find((a) => String(a.id) === index);
    if (!entry || typeof entry.filename !== 'string') {
      return { error: invalidForm(`attachments has no entry with id ${index} for ${field}`) };
    }
    const bytes = Buffer.from(await value.arrayBuffer());
    if (bytes.length > MAX_FILE_BYTES) return { error: errors.tooLarge };
    files.push({ index: Number(index), filename: entry.filename, contentType: value.type, bytes });
  }
  if (files.length > 10) return { error: invalidForm('at most 10 files per message') };
  return { body, files };
}

function invalidForm(message: string): RestReply {
  return { status: 400, body: { code: 50035, message: `Invalid Form Body: ${message}` } };
}
