import type { z } from 'zod';
import { badRequest } from '../errors.ts';
import type { HttpRequest } from './http-types.ts';

/** Parses the body as JSON and checks it against `schema`; anything wrong is a 400 saying what. */
export function jsonBody<T>(req: HttpRequest, schema: z.ZodType<T>): T {
  return validate(parseJson(req.rawBody), schema, 'body');
}

export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) throw badRequest('the request has no body; send a JSON object', 'invalid_json');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw badRequest(`the body is not valid JSON: ${(err as Error).message}`, 'invalid_json');
  }
}

/** Checks `data` against `schema`; a 400 lists each problem with where it is (`body.text: …`). */
export function validate<T>(data: unknown, schema: z.ZodType<T>, what: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw badRequest(describeIssues(result.error.issues, what), 'invalid_request');
}

export function describeIssues(issues: readonly z.core.$ZodIssue[], what: string): string {
  return issues
    .slice(0, 10)
    .map((i) => `${[what, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
}

/** A body that may be left out entirely: no bytes read as `{}`. */
export function optionalJsonBody<T>(req: HttpRequest, schema: z.ZodType<T>): T {
  return req.rawBody.length === 0 ? validate({}, schema, 'body') : jsonBody(req, schema);
}

/** The query string as a plain object, for validating with a schema. */
export function queryObject(req: HttpRequest): Record<string, string> {
  return Object.fromEntries(req.query);
}
