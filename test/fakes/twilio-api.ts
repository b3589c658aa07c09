import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of Twilio's REST API (2010-04-01 Messages), speaking its wire format
 * so the real `twilio` client can be pointed at it: form-encoded creates with
 * Basic auth, 201 with a message resource, errors as Twilio's error JSON, and
 * the Messages list (To, From, DateSent filters; newest first; paged with
 * next_page_uri). Messages stay `queued` with no `date_sent`, as on a busy
 * long code, until `markAllSent`. Failures can be scripted per request, and
 * numbers marked as opted out.
 */

export interface RecordedMessage {
  sid: string;
  accountSid: string;
  from: string | null;
  to: string;
  body: string | null;
  mediaUrls: string[];
  statusCallback: string | null;
  contentSid: string | null;
  contentVariables: string | null;
  numSegments: number;
  params: URLSearchParams;
  dateCreated: number;
  dateSent: number | null;
  /** When the create arrived (performance.now()). */
  at: number;
}

/** One request as the fake saw it, at the fake's clock (`now`), with the status it answered. */
export interface LoggedRequest {
  at: number;
  method: string;
  path: string;
  status: number;
  from: string | null;
  to: string | null;
}

/**
 * One scripted answer: the normal one, an error status with Twilio's code
 * (in its classic error JSON, or as an RFC 9457 problem with `problem: true`),
 * or a dropped connection.
 */
export type Scripted =
  | 'ok'
  | { status: number; code: number; message?: string; retryAfter?: string; problem?: boolean }
  | { drop: true };

export interface FakeTwilioApiOptions {
  accountSid: string;
  authToken: string;
  now?: () => number;
  /** Answers a create this long after the message exists, like the real API's round trip. */
  latencyMs?: number;
}

const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\.json$/i;
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/i;
const MEDIA_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\/(MM[0-9a-f]{32})\/Media\/(ME[0-9a-f]{32})$/i;
const RECORDING_PATH = /^\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Recordings\/(RE[0-9a-f]{32})\.mp3$/i;
const CDN_PATH = /^\/cdn\/((?:ME|RE)[0-9a-f]{32})$/;
const E164 = /^\+[1-9]\d{6,14}$/;

export class FakeTwilioApi {
  readonly messages: RecordedMessage[] = [];
  /** Every request received, failed ones included. */
  requests = 0;
  /** Every answered request, in order. */
  readonly log: LoggedRequest[] = [];
  readonly #script: Scripted[] = [];
  readonly #optedOut = new Set<string>();
  readonly #media = new Map<string, { bytes: Buffer; contentType: string }>();
  /** Media requests: path and whether they carried the account's Basic auth. */
  readonly mediaRequests: Array<{ path: string; authorized: boolean }> = [];
  readonly #server: Server;
  readonly #opts: FakeTwilioApiOptions;
  #url = '';

  private constructor(opts: FakeTwilioApiOptions) {
    this.#opts = opts;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 20500, message: String(err), status: 500 }));
      });
    });
  }

  static async start(opts: FakeTwilioApiOptions): Promise<FakeTwilioApi> {
    const fake = new FakeTwilioApi(opts);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.#server.address() as AddressInfo;
    fake.#url = `http://127.0.0.1:${port}`;
    return fake;
  }

  /** The base URL to give the adapter as `apiBaseUrl`. */
  get url(): string {
    return this.#url;
  }

  /** The next requests get these answers, in order; later ones are answered normally. */
  script(...answers: Scripted[]): void {
    this.#script.push(...answers);
  }

  /** Every queued message has gone out now: `status: sent` and a `date_sent`. */
  markAllSent(): void {
    const now = this.#now();
    for (const m of this.messages) m.dateSent ??= now;
  }

  /**
   * Keeps a file as media of an inbound message and returns its `MediaUrl`: the API answers it (with
   * the account's Basic auth) with a redirect to the media CDN, which serves the bytes, as Twilio does.
   */
  addMedia(bytes: Buffer, contentType: string): string {
    const messageSid = `MM${randomBytes(16).toString('hex')}`;
    const mediaSid = `ME${randomBytes(16).toString('hex')}`;
    this.#media.set(mediaSid, { bytes, contentType });
    return `${this.#url}/2010-04-01/Accounts/${this.#opts.accountSid}/Messages/${messageSid}/Media/${mediaSid}`;
  }

  /** Keeps a voicemail recording; returns its `RecordingUrl` (the `.mp3` under it is served like media). */
  addRecording(bytes: Buffer, contentType = 'audio/mpeg'): string {
    const sid = `RE${randomBytes(16).toString('hex')}`;
    this.#media.set(sid, { bytes, contentType });
    return `${this.#url}/2010-04-01/Accounts/${this.#opts.accountSid}/Recordings/${sid}`;
  }

  /** Sends to this number fail with 21610, as after the recipient replied STOP. */
  optOut(number: string): void {
    this.#optedOut.add(number);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #now(): number {
    return this.#opts.now?.() ?? Date.now();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    // Stamped as it arrives, before its body is read: Twilio counts a request when it reaches it.
    const at = this.#now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const params =
      req.method === 'POST' ? new URLSearchParams(Buffer.concat(chunks).toString('utf8')) : url.searchParams;
    // On close, not finish: a request whose client died before the answer (a router killed mid-send)
    // still reached Twilio, and a message it created is a request to count.
    res.once('close', () =>
      this.log.push({
        at,
        method: req.method ?? '',
        path: url.pathname,
        status: res.statusCode,
        from: params.get('From'),
        to: params.get('To'),
      }),
    );
    const cdn = CDN_PATH.exec(url.pathname);
    const mediaSid = MEDIA_PATH.exec(url.pathname)?.[3] ?? RECORDING_PATH.exec(url.pathname)?.[1];
    if (cdn || mediaSid) this.mediaRequests.push({ path: url.pathname, authorized: this.#authorized(req) });
    if (cdn) {
      // The CDN's links are unguessable and need no credentials.
      const file = this.#media.get(cdn[1] ?? '');
      if (!file) return error(res, 404, 20404, 'not found');
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.length });
      return void res.end(file.bytes);
    }
    // Twilio authenticates before anything else: a bad credential never reaches a scripted answer.
    if (!this.#authorized(req)) {
      return error(res, 401, 20003, 'Authenticate', { 'www-authenticate': 'Basic realm="Twilio API"' });
    }
    const next = this.#script.shift();
    const scripted = next === 'ok' ? undefined : next;
    if (scripted && 'drop' in scripted) {
      req.socket.destroy();
      return;
    }
    if (scripted) {
      const headers: Record<string, string> = scripted.retryAfter ? { 'retry-after': scripted.retryAfter } : {};
      const message = scripted.message ?? 'Scripted failure';
      if (scripted.problem) {
        const type = `https://www.twilio.com/docs/errors/${scripted.code}`;
        const problem = { type, title: message, status: scripted.status, detail: message, code: scripted.code };
        return json(res, scripted.status, problem, { ...headers, 'content-type': 'application/problem+json' });
      }
      return error(res, scripted.status, scripted.code, message, headers);
    }
    const path = url.pathname;
    if (mediaSid && req.method === 'GET') {
      if (!this.#media.has(mediaSid)) return error(res, 404, 20404, `The requested resource ${path} was not found`);
      // Another host name for the same server: the CDN is not the API, and gets no credentials.
      res.writeHead(307, { location: `${this.#url.replace('127.0.0.1', 'localhost')}/cdn/${mediaSid}` });
      return void res.end();
    }
    const account = ACCOUNT_PATH.exec(path);
    if (account && req.method === 'GET') {
      if (account[1] !== this.#opts.accountSid) return error(res, 403, 20003, 'Authenticate');
      const uri = `/2010-04-01/Accounts/${account[1]}.json`;
      const fields = { sid: account[1], friendly_name: 'Harbour Street Bakery', status: 'active', type: 'Full' };
      return json(res, 200, { ...fields, auth_token: this.#opts.authToken, uri });
    }
    const match = MESSAGES_PATH.exec(path);
    if (!match || (req.method !== 'POST' && req.method !== 'GET')) {
      return error(res, 404, 20404, `The requested resource ${path} was not found`);
    }
    if (match[1] !== this.#opts.accountSid) return error(res, 403, 20003, 'Authenticate');
    if (req.method === 'GET') return this.#list(url.searchParams, path, res);
    this.#create(params, res);
  }

  /** `GET …/Messages.json`: newest first, filtered like Twilio's (a message without `date_sent` never matches a DateSent filter). */
  #list(q: URLSearchParams, path: string, res: ServerResponse): void {
    const pageSize = Number(q.get('PageSize') ?? '50');
    const page = Number(q.get('Page') ?? '0');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000 || !Number.isInteger(page) || page < 0) {
      error(res, 400, 20001, 'Invalid paging parameters');
      return;
    }
    const dateFilters: Array<[string, (sent: number, bound: Bound) => boolean]> = [
      ['DateSent', (t, b) => t >= b.from && t < b.to],
      ['DateSent>', (t, b) => t >= b.from],
      ['DateSent<', (t, b) => t < b.to],
    ];
    const checks: Array<(m: RecordedMessage) => boolean> = [];
    for (const [name, test] of dateFilters) {
      const raw = q.get(name);
      if (raw === null) continue;
      const bound = parseDateFilter(raw);
      if (!bound) {
        error(res, 400, 20001, `Invalid ${name} filter: ${raw}`);
        return;
      }
      checks.push((m) => m.dateSent !== null && test(m.dateSent, bound));
    }
    const to = q.get('To');
    const from = q.get('From');
    const matching = this.messages
      .map((m, i) => ({ m, i }))
      .filter(({ m }) => (to === null || m.to === to) && (from === null || m.from === from))
      .filter(({ m }) => checks.every((c) => c(m)))
      .sort((a, b) => b.m.dateCreated - a.m.dateCreated || b.i - a.i)
      .map(({ m }) => m);
    const start = page * pageSize;
    const items = matching.slice(start, start + pageSize);
    const pageUri = (n: number) => {
      const p = new URLSearchParams(q);
      p.set('PageSize', String(pageSize));
      p.set('Page', String(n));
      p.delete('PageToken');
      if (n > 0) p.set('PageToken', `PA${n * pageSize}`);
      return `${path}?${p.toString()}`;
    };
    json(res, 200, {
      first_page_uri: pageUri(0),
      end: start + Math.max(0, items.length - 1),
      previous_page_uri: page > 0 ? pageUri(page - 1) : null,
      messages: items.map((m) => this.#resource(m)),
      uri: pageUri(page),
      page_size: pageSize,
      start,
      next_page_uri: start + pageSize < matching.length ? pageUri(page + 1) : null,
      page,
    });
  }

  #resource(m: RecordedMessage): Record<string, unknown> {
    const uri = `/2010-04-01/Accounts/${this.#opts.accountSid}/Messages/${m.sid}`;
    return {
      account_sid: this.#opts.accountSid,
      api_version: '2010-04-01',
      body: m.body ?? '',
      date_created: rfc2822(m.dateCreated),
      date_sent: m.dateSent === null ? null : rfc2822(m.dateSent),
      date_updated: rfc2822(m.dateSent ?? m.dateCreated),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: m.from,
      messaging_service_sid: m.params.get('MessagingServiceSid'),
      num_media: String(m.mediaUrls.length),
      num_segments: String(m.numSegments),
      price: null,
      price_unit: 'USD',
      sid: m.sid,
      status: m.dateSent === null ? 'queued' : 'sent',
      subresource_uris: { media: `${uri}/Media.json`, feedback: `${uri}/Feedback.json` },
      to: m.to,
      uri: `${uri}.json`,
    };
  }

  #authorized(req: IncomingMessage): boolean {
    const want = `Basic ${Buffer.from(`${this.#opts.accountSid}:${this.#opts.authToken}`).toString('base64')}`;
    return req.headers.authorization === want;
  }

  /** Twilio's own checks on a create, as [HTTP status, error code, message]; null when it would be accepted. */
  #refusal(p: URLSearchParams): [number, number, string] | null {
    const to = p.get('To');
    const from = p.get('From');
    const body = p.get('Body');
    if (!to) return [400, 21604, "A 'To' phone number is required."];
    if (!from && !p.get('MessagingServiceSid')) return [400, 21603, "A 'From' phone number is required."];
    if (!E164.test(to.replace(/^whatsapp:/, '')))
      return [400, 21211, `The 'To' number ${to} is not a valid phone number.`];
    if (from && from.startsWith('whatsapp:') !== to.startsWith('whatsapp:')) {
      return [400, 21910, 'Invalid From and To pair. From and To should be of the same channel'];
    }
    if (!body && p.getAll('MediaUrl').length === 0 && !p.get('ContentSid'))
      return [400, 21602, 'Message body is required.'];
    if (body && body.length > 1600)
      return [400, 21617, 'The concatenated message body exceeds the 1600 character limit.'];
    if (this.#optedOut.has(to)) return [400, 21610, 'Attempt to send to unsubscribed recipient'];
    return null;
  }

  #create(p: URLSearchParams, res: ServerResponse): void {
    const refused = this.#refusal(p);
    if (refused) {
      error(res, ...refused);
      return;
    }
    const to = p.get('To') ?? '';
    const from = p.get('From');
    const body = p.get('Body');
    const mediaUrls = p.getAll('MediaUrl');
    const contentSid = p.get('ContentSid');
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const message: RecordedMessage = {
      sid,
      accountSid: this.#opts.accountSid,
      from,
      to,
      body,
      mediaUrls,
      statusCallback: p.get('StatusCallback'),
      contentSid,
      contentVariables: p.get('ContentVariables'),
      numSegments: segmentsOf(body ?? ''),
      params: p,
      dateCreated: this.#now(),
      dateSent: null,
      at: performance.now(),
    };
    this.messages.push(message);
    const latency = this.#opts.latencyMs ?? 0;
    if (latency > 0) setTimeout(() => json(res, 201, this.#resource(message)), latency);
    else json(res, 201, this.#resource(message));
  }
}

interface Bound {
  from: number;
  to: number;
}

/** A DateSent filter value: a day (`2026-01-05`, the whole day) or an instant (`2026-01-05T09:00:00Z`); null when unreadable. */
function parseDateFilter(raw: string): Bound | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    const from = Date.parse(`${raw}T00:00:00Z`);
    return Number.isNaN(from) ? null : { from, to: from + 86_400_000 };
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(raw)) return null;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : { from: at, to: at + 1 };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function error(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
) {
  json(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}

/** Twilio writes dates as RFC 2822: `Mon, 05 Jan 2026 09:00:00 +0000`. */
function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

// The fake's own segment count, written apart from the adapter's so it can check it.
const GSM = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà\f^{}\\[~\]|€]*$/;
const GSM_EXT = /[\f^{}\\[~\]|€]/g;

function segmentsOf(body: string): number {
  if (body === '') return 0;
  if (GSM.test(body)) {
    const septets = body.length + (body.match(GSM_EXT)?.length ?? 0);
    return septets <= 160 ? 1 : Math.ceil(septets / 153);
  }
  return body.length <= 70 ? 1 : Math.ceil(body.length / 67);
}
