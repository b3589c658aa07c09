import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * One REST call of the twilio client over node:http(s) on keep-alive agents,
 * in place of the client's own axios stack: building an axios request cost
 * more CPU than everything else the send does. Same contract as the client's
 * RequestClient.request: no redirects followed, any status resolves (the
 * client turns 4xx and 5xx into its exceptions), network errors reject with
 * their code (ECONNREFUSED …), and a call that takes longer than `timeoutMs`
 * in all is aborted.
 */
export interface TransportRequest {
  method: string;
  uri: string;
  username?: string | undefined;
  password?: string | undefined;
  /** The Authorization header's value, when the client authenticates otherwise than with username and password. */
  authorization?: string | undefined;
  headers?: Record<string, string> | undefined;
  params?: object | undefined;
  data?: unknown;
  timeoutMs: number;
}

export interface TransportResponse {
  statusCode: number;
  body: string;
  headers: IncomingHttpHeaders;
}

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** Form fields as the client sends them: an array repeats its key (MediaUrl), undefined is left out. */
export function formEncode(fields: object): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) form.append(key, v === null ? '' : String(v));
  }
  return form.toString();
}

function bodyOf(headers: Record<string, string>, data: unknown): string | null {
  if (data === undefined || data === null) return null;
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  if (type === 'application/json') return JSON.stringify(data);
  return formEncode(data as object);
}

/** A call past its time: a network error with the code the client's own stack gives a time-out. */
const timedOut = (ms: number) =>
  Object.assign(new Error(`Twilio did not answer within ${ms} ms`), { code: 'ETIMEDOUT' });

export function send(r: TransportRequest): Promise<TransportResponse> {
  const url = new URL(r.uri);
  if (r.params) {
    const query = formEncode(r.params);
    if (query) url.search = url.search ? `${url.search}&${query}` : `?${query}`;
  }
  const headers: Record<string, string> = { ...r.headers };
  if (r.username && r.password)
    headers.Authorization = `Basic ${Buffer.from(`${r.username}:${r.password}`).toString('base64')}`;
  else if (r.authorization) headers.Authorization = r.authorization;
  const body = bodyOf(headers, r.data);
  if (body !== null) headers['Content-Length'] = String(Buffer.byteLength(body));
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(url, {
      method: r.method.toUpperCase(),
      headers,
      agent: secure ? agents.https : agents.http,
    });
    const timer = setTimeout(() => req.destroy(timedOut(r.timeoutMs)), r.timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    req.once('error', fail);
    req.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', fail);
      res.once('end', () => {
        clearTimeout(timer);
        resolve({
          statusCode: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: res.headers,
        });
      });
    });
    req.end(body ?? undefined);
  });
}
