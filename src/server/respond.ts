import type { ServerResponse } from 'node:http';
import { ErrorCode, HttpError } from '../errors.ts';
import type { HttpResponse } from '../http/http-types.ts';
import { TooManyRequests } from '../http/ip-rate-limit.ts';
import type { Logger } from '../log.ts';
import { Overloaded } from './limits.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Writes a handler's response: strings and Buffers as they are, anything else as JSON. */
export function writeResponse(res: ServerResponse, r: HttpResponse, closeAfter: boolean): void {
  let body: string | Buffer | undefined;
  let type: string | undefined;
  if (r.body === undefined || r.body === null) body = undefined;
  else if (typeof r.body === 'string') {
    body = r.body;
    type = 'text/plain; charset=utf-8';
  } else if (Buffer.isBuffer(r.body)) {
    body = r.body;
    type = 'application/octet-stream';
  } else {
    body = JSON.stringify(r.body);
    type = JSON_TYPE;
  }
  const headers: Record<string, string | number> = { ...r.headers };
  if (type && !hasHeader(headers, 'content-type')) headers['content-type'] = type;
  headers['content-length'] = body === undefined ? 0 : Buffer.byteLength(body);
  if (closeAfter) headers.connection = 'close';
  res.writeHead(r.status, headers);
  res.end(body);
}

/** Answers with `{ error, reason }`: an HttpError with its own status, anything else 500 (logged). */
export function writeError(res: ServerResponse, err: unknown, log: Logger, closeAfter: boolean): void {
  if (res.headersSent) {
    log.error({ err }, 'request failed after its response had started');
    res.destroy();
    return;
  }
  if (err instanceof HttpError) {
    const headers: Record<string, string> = {};
    if (err instanceof TooManyRequests || err instanceof Overloaded)
      headers['retry-after'] = String(err.retryAfterSeconds);
    if (err.status === 401) headers['www-authenticate'] = 'Bearer';
    // After a 413 the rest of the body is unread, and a 503 sheds load: the connection is not reused.
    const close = closeAfter || err.status === 413 || err.status === 503;
    writeResponse(res, { status: err.status, headers, body: { error: err.code, reason: err.message } }, close);
    return;
  }
  log.error({ err }, 'request handler failed');
  writeResponse(
    res,
    { status: 500, body: { error: ErrorCode.Internal, reason: 'internal error; the details are in the server log' } },
    closeAfter,
  );
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name) return true;
  return false;
}
