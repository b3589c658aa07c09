import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { MediaError, mediaRefused, mediaUnavailable } from '../errors.ts';
import { hostAllowed, isBlockedAddress } from './address-guard.ts';

/** Where an inbound file is and what may be fetched of it: the channel's hosts, types and size, with its credentials. */
export interface MediaSource {
  url: string;
  /** Sent to the first host only (the provider's API): never to a host a redirect leads to. */
  headers?: Record<string, string>;
  /** Hosts the file may come from, the first request and every redirect: exact names or `*.example.com`. */
  hosts: readonly string[];
  /** Content types taken: exact (`application/pdf`) or a family (`image/*`). */
  types: readonly string[];
  /** The channel's own size limit; the smaller of it and the router's applies. */
  maxBytes?: number;
}

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  /** Hosts allowed on any channel that may resolve to loopback or private addresses, plain http too (local test servers). */
  testHosts: readonly string[];
  /** DNS resolution; the system resolver unless a test gives another. */
  lookup?: typeof dnsLookup;
}

export interface FetchedMedia {
  bytes: Buffer;
  contentType: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The media type of a Content-Type header, without parameters, lower case. */
const mediaType = (header: string | undefined) => (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';

function typeAllowed(type: string, types: readonly string[]): boolean {
  return types.some((t) => (t.endsWith('/*') ? type.startsWith(t.slice(0, -1)) : type === t));
}

/**
 * Fetches one provider file with the SSRF guard: only the channel's hosts,
 * https only, every resolved address checked at connect time (so a DNS
 * answer cannot change between the check and the connection), at most
 * `maxRedirects` redirects each checked again, the size and type limits
 * enforced while reading. Throws MediaError: `media_refused` (final) or
 * `media_unavailable` (worth another try).
 */
export async function safeFetch(source: MediaSource, limits: FetchLimits): Promise<FetchedMedia> {
  const maxBytes = Math.min(source.maxBytes ?? limits.maxBytes, limits.maxBytes);
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  let url = parseUrl(source.url);
  const firstHost = url.host;
  for (let hop = 0; ; hop++) {
    const testHost = hostAllowed(bareHost(url), limits.testHosts);
    checkTarget(url, source.hosts, testHost);
    const headers = url.host === firstHost ? (source.headers ?? {}) : {};
    const res = await get(url, headers, guardedLookup(testHost, limits.lookup ?? dnsLookup), deadline);
    if (REDIRECTS.has(res.statusCode ?? 0)) {
      res.resume();
      if (hop >= limits.maxRedirects) throw mediaRefused(`more than ${limits.maxRedirects} redirects`);
      const location = res.headers.location;
      if (!location) throw mediaRefused(`a ${res.statusCode} redirect without a Location`);
      url = parseUrl(location, url);
      continue;
    }
    return readBody(res, url, source.types, maxBytes);
  }
}

function parseUrl(text: string, base?: URL): URL {
  try {
    return new URL(text, base);
  } catch {
    throw mediaRefused('not a URL');
  }
}

/** The host name without IPv6 brackets. */
const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

function checkTarget(url: URL, hosts: readonly string[], testHost: boolean): void {
  const host = bareHost(url);
  if (url.username || url.password) throw mediaRefused('a URL with credentials in it');
  if (!testHost && !hostAllowed(host, hosts)) throw mediaRefused(`host ${host} is not one of this channel's`);
  // An IP literal never goes through the resolver: check it here.
  if (!testHost && isIP(host) !== 0 && isBlockedAddress(host)) throw mediaRefused(`address ${host} is not public`);
  if (url.protocol !== 'https:' && !(testHost && url.protocol === 'http:')) {
    throw mediaRefused(`${url.protocol} URL refused: files are fetched over https`);
  }
}

/** A resolver that refuses private, loopback and link-local answers (all of them, so no answer among several slips through). */
function guardedLookup(testHost: boolean, resolve: typeof dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as LookupAddress[];
      const bad = testHost ? undefined : list.find((a) => isBlockedAddress(a.address));
      if (bad) return callback(mediaRefused(`${hostname} resolves to ${bad.address}, which is not public`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(mediaUnavailable(`${hostname} has no address`), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

function get(
  url: URL,
  headers: Record<string, string>,
  lookup: LookupFunction,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, lookup, signal, agent: false }, resolve);
    req.on('error', (err) => {
      if (err instanceof MediaError) reject(err);
      else if (signal.aborted) reject(mediaUnavailable('timed out', err));
      else reject(mediaUnavailable(`fetch failed: ${err.message}`, err));
    });
    req.end();
  });
}

async function readBody(res: IncomingMessage, url: URL, types: readonly string[], maxBytes: number) {
  const status = res.statusCode ?? 0;
  if (status !== 200) {
    res.resume();
    const reason = `${url.host} answered ${status}`;
    // Rate limits, time-outs and server errors pass; anything else the provider means.
    throw status === 429 || status === 408 || status >= 500 ? mediaUnavailable(reason) : mediaRefused(reason);
  }
  const contentType = mediaType(res.headers['content-type']);
  if (!typeAllowed(contentType, types)) {
    res.destroy();
    throw mediaRefused(`content type ${contentType || '(none)'} is not one this channel takes`);
  }
  const declared = Number(res.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes) {
    res.destroy();
    throw mediaRefused(`${declared} bytes, over the ${maxBytes} allowed`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        throw mediaRefused(`over the ${maxBytes} bytes allowed`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof MediaError) throw err;
    throw mediaUnavailable('the download broke off', err);
  }
  return { bytes: Buffer.concat(chunks), contentType };
}
