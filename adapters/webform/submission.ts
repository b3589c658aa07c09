import { createHash } from 'node:crypto';
import { z } from 'zod';
import { badRequest, HttpError, type HttpRequest, parseJson } from '../../src/channel/index.ts';

export type BodyKind = 'form' | 'json';

/** Empty optional fields of an HTML form arrive as "": treat them as absent. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

export function submissionSchema(maxMessageLength: number) {
  return z.object({
    name: z.string('is required').trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
    email: z
      .string('is required')
      .trim()
      .toLowerCase()
      .max(254, 'is too long')
      .pipe(z.email('must be an email address such as name@example.com')),
    phone: optional(
      z
        .string()
        .trim()
        .regex(/^\+?[0-9 ().-]{5,40}$/, 'must be a phone number of digits, spaces, (), - or . with an optional +'),
    ),
    message: z
      .string('is required')
      .trim()
      .min(1, 'is required')
      .max(maxMessageLength, `must be at most ${maxMessageLength} characters`),
    idempotencyKey: optional(z.string().trim().max(200)),
  });
}

export type Submission = z.infer<ReturnType<typeof submissionSchema>>;

/** Which body format the request uses; anything but a plain form or JSON gets 415 with what to change. */
export function bodyKind(req: HttpRequest): BodyKind {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'application/json') return 'json';
  const fix =
    type === 'multipart/form-data'
      ? 'remove enctype="multipart/form-data" from the form (file uploads are not accepted)'
      : 'send application/x-www-form-urlencoded (an HTML form) or application/json';
  throw new HttpError(415, 'unsupported_media_type', `content type "${type || 'none'}" is not accepted; ${fix}`);
}

/** The submitted fields as one object of strings (form) or the JSON object. */
export function readFields(req: HttpRequest, kind: BodyKind): Record<string, unknown> {
  if (kind === 'form') {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(req.rawBody.toString('utf8'))) if (!(k in fields)) fields[k] = v;
    return fields;
  }
  const data = parseJson(req.rawBody);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw badRequest('the body must be a JSON object with name, email and message', 'invalid_request');
  }
  return data as Record<string, unknown>;
}

/**
 * The dedupe key: the client's idempotency key when it sends one, else a hash
 * of the form, sender, text and minute, so a double-click is stored once.
 */
export function providerIdOf(
  formId: string,
  s: Submission,
  idempotencyHeader: string | undefined,
  now: number,
): string {
  const key = idempotencyHeader?.trim() || s.idempotencyKey;
  if (key && key.length > 200) throw badRequest('the Idempotency-Key header must be at most 200 characters');
  if (key) return `key:${formId}:${key}`;
  const minute = Math.floor(now / 60_000);
  const hash = createHash('sha256').update(`${formId}\n${s.email}\n${s.message}\n${minute}`).digest('base64url');
  return `hash:${hash}`;
}
