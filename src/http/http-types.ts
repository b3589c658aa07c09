import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

/** A request as route handlers see it: the raw body is read (and size-capped) before the handler runs. */
export interface HttpRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The exact bytes received: signatures are computed over these, never over re-serialised data. */
  rawBody: Buffer;
  /** Parameters from the route pattern (`/api/conversations/:id`). */
  params: Record<string, string>;
  /** Client address (first hop of X-Forwarded-For when the proxy is trusted). */
  ip: string;
  /** The URL the provider called, built from the configured public URL: what signatures cover. */
  publicUrl: string;
  raw: IncomingMessage;
  /** Who is asking, on authenticated routes (src/access/principal.ts); null on open ones. */
  principal: Principal | null;
}

/** Who a request acts as: an agent account or an admin, and where it came from (`api`, `dashboard`). */
export interface Principal {
  agentId: string;
  /** The display name replies carry. */
  name: string;
  role: 'agent' | 'admin';
  via: string;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
}

/** A handler that writes the response itself (server-sent events, SDKs that want `res`). */
export interface Takeover {
  takeover: (res: ServerResponse) => void;
  /** A long-lived stream (server-sent events): ended at once on shutdown instead of being waited for. */
  stream?: boolean;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse | Takeover> | HttpResponse | Takeover;

export interface RouteOptions {
  /**
   * `agent`: any agent's or admin's token; `admin`: an admin's only (else 403
   * with the reason). Default `none` (webhooks verify their own signatures).
   */
  auth?: 'agent' | 'admin' | 'none';
  /** Largest body accepted, in bytes (default 1 MiB); larger gets 413. */
  maxBodyBytes?: number;
  /** What the API description (GET /api/openapi.json) says of the route. */
  doc?: RouteDoc;
}

/**
 * A route's entry in the OpenAPI description: give the very schemas the
 * handler validates with, so the description cannot drift from the checks.
 */
export interface RouteDoc {
  summary: string;
  /** The JSON body (`optionalBody`: it may be left out, read as `{}`). */
  body?: z.ZodType;
  optionalBody?: boolean;
  /** The query string, as an object of strings. */
  query?: z.ZodType;
  /** The success status (default 200). */
  status?: number;
}

export interface RouteRegistry {
  add(method: string, pattern: string, handler: HttpHandler, options?: RouteOptions): void;
}
