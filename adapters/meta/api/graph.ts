import { type Clock, TouchpointError } from '../../../src/channel/index.ts';

/** A Graph API call that was answered with an error. */
export class GraphFailure extends TouchpointError {
  readonly status: number;
  /** Graph's `error.code` and `error.error_subcode`. */
  readonly graphCode: number | null;
  readonly subcode: number | null;
  readonly retryAfterMs: number | null;
  constructor(
    status: number,
    graphCode: number | null,
    subcode: number | null,
    message: string,
    retryAfterMs: number | null,
  ) {
    super('provider_failed', message);
    this.status = status;
    this.graphCode = graphCode;
    this.subcode = subcode;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface GraphClient {
  /** POSTs JSON to `/{version}/{path}`; resolves with the answer's JSON, throws GraphFailure or a network error. */
  post(path: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** GETs `/{version}/{path}` (the credential check reads `me`, reconcile.ts reads conversations and comments). */
  get(path: string): Promise<Record<string, unknown>>;
  /**
   * GETs a list's `paging.next` link. Graph's links carry the access token:
   * one that leads anywhere but this client's Graph API is never fetched (null).
   */
  follow(next: string): Promise<Record<string, unknown> | null>;
}

export interface GraphOptions {
  baseUrl: string;
  version: string;
  accessToken: string;
  timeoutMs: number;
  clock: Clock;
}

export function createGraphClient(o: GraphOptions): GraphClient {
  const base = o.baseUrl.replace(/\/+$/, '');
  const call = async (path: string, body?: Record<string, unknown>) => fetchJson(`${base}/${o.version}/${path}`, body);
  const fetchJson = async (url: string, body?: Record<string, unknown>) => {
    const res = await fetch(url, {
      method: body ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${o.accessToken}` },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    return answer(res);
  };
  const answer = async (res: Response) => {
    const text = await res.text();
    const data = parseJson(text);
    if (res.ok) return data ?? {};
    const error = (data?.error ?? {}) as Record<string, unknown>;
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    const message = typeof error.message === 'string' ? error.message : text.slice(0, 200) || res.statusText;
    throw new GraphFailure(
      res.status,
      num(error.code),
      num(error.error_subcode),
      message,
      retryAfter(res.headers.get('retry-after'), o.clock.now()),
    );
  };
  return {
    post: (path, body) => call(path, body),
    get: (path) => call(path),
    follow(next) {
      return next.startsWith(`${base}/${o.version}/`) ? fetchJson(next) : Promise.resolve(null);
    },
  };
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `Retry-After` in seconds or as an HTTP date, in ms from now. */
export function retryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
