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
