import { AsyncLocalStorage } from 'node:async_hooks';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { type Clock, permanent } from '../../../src/channel/index.ts';
import { send } from './transport.ts';

/** The REST hosts this adapter talks to: the Messaging API, optionally on an edge and region. */
const API_HOST = /^api(\.[a-z0-9-]+){0,2}\.twilio\.com$/i;

/** What a call made inside `withProbe` learns about the HTTP response the twilio client does not expose. */
export interface ResponseProbe {
  status: number | null;
  retryAfterMs: number | null;
}

const probes = new AsyncLocalStorage<ResponseProbe>();

/** Runs one REST call; `probe` receives its response's status and Retry-After (RestException drops the headers). */
export function withProbe<T>(probe: ResponseProbe, fn: () => Promise<T>): Promise<T> {
  return probes.run(probe, fn);
}

/** Maps `https://api.twilio.com/2010-04-01/…` onto `base`, keeping path and query; refuses any other host. */
export function routeUri(uri: string, base: URL | null): string {
  const target = new URL(uri);
  if (!API_HOST.test(target.hostname)) {
    throw permanent(`refusing a Twilio request to ${target.hostname}: only api.twilio.com is expected`);
  }
  if (!base) return target.href;
  const routed = new URL(base.href);
  routed.pathname = `${base.pathname.replace(/\/+$/, '')}${target.pathname}`;
  routed.search = target.search;
  return routed.href;
}

/** `Retry-After` as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function parseRetryAfter(value: unknown, now: number): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  const text = String(raw).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The client's requests, routed (routeUri) and sent over the lean transport (transport.ts). */
class RoutedRequestClient extends twilio.RequestClient {
  readonly #base: URL | null;
  readonly #clock: Clock;
  readonly #timeoutMs: number;

  constructor(base: URL | null, timeoutMs: number, clock: Clock) {
    super({ timeout: timeoutMs, keepAlive: true, autoRetry: false });
    this.#base = base;
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const sent = await send({
      method: opts.method,
      uri: routeUri(opts.uri, this.#base),
      username: opts.username,
      password: opts.password,
      authorization: opts.authStrategy ? await opts.authStrategy.getAuthString() : undefined,
      headers: opts.headers as Record<string, string> | undefined,
      params: opts.params,
      data: opts.data,
      timeoutMs: opts.timeout ?? this.#timeoutMs,
    });
    // The client parses a string body itself, as it does axios's.
    const res = { statusCode: sent.statusCode, body: sent.body as TData, headers: sent.headers };
    const probe = probes.getStore();
    if (probe) {
      probe.status = res.statusCode;
      probe.retryAfterMs = parseRetryAfter(res.headers?.['retry-after'], this.#clock.now());
    }
    return res;
  }
}

export interface ClientOptions {
  accountSid: string;
  authToken: string;
  apiBaseUrl?: string | undefined;
  timeoutMs: number;
  clock: Clock;
}

export type TwilioClient = ReturnType<typeof twilio>;

export function createTwilioClient(o: ClientOptions): TwilioClient {
  const base = o.apiBaseUrl ? new URL(o.apiBaseUrl) : null;
  return twilio(o.accountSid, o.authToken, {
    httpClient: new RoutedRequestClient(base, o.timeoutMs, o.clock),
  });
}
