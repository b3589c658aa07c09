import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of Twilio's REST API (2010-04-01 Messages), speaking its wire format
 * so the real `twilio` client can be pointed at it: form-encoded creates with
 * Basic auth, 201 with a message resource, errors as Twilio's error JSON.
 * Failures can be scripted per request, and numbers marked as opted out.
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
}

const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\.json$/i;
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/i;
const E164 = /^\+[1-9]\d{6,14}$/;

export class FakeTwilioApi {
  readonly messages: RecordedMessage[] = [];
  /** Every request received, failed ones included. */
  requests = 0;
  readonly #script: Scripted[] = [];
  readonly #optedOut = new Set<string>();
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

  /** Sends to this number fail with 21610, as after the recipient replied STOP. */
  optOut(number: string): void {
    this.#optedOut.add(number);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
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
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!this.#authorized(req)) {
      return error(res, 401, 20003, 'Authenticate', { 'www-authenticate': 'Basic realm="Twilio API"' });
    }
    const account = ACCOUNT_PATH.exec(path);
    if (account && req.method === 'GET') {
      if (account[1] !== this.#opts.accountSid) return error(res, 403, 20003, 'Authenticate');
      const uri = `/2010-04-01/Accounts/${account[1]}.json`;
      const fields = { sid: account[1], friendly_name: 'Harbour Street Bakery', status: 'active', type: 'Full' };
      return json(res, 200, { ...fields, auth_token: this.#opts.authToken, uri });
    }
    const match = MESSAGES_PATH.exec(path);
    if (!match || req.method !== 'POST') {
      return error(res, 404, 20404, `The requested resource ${path} was not found`);
    }
    if (match[1] !== this.#opts.accountSid) return error(res, 403, 20003, 'Authenticate');
    this.#create(new URLSearchParams(Buffer.concat(chunks).toString('utf8')), res);
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
    const numSegments = segmentsOf(body ?? '');
    this.messages.push({
      sid,
      accountSid: this.#opts.accountSid,
      from,
      to,
      body,
      mediaUrls,
      statusCallback: p.get('StatusCallback'),
      contentSid,
      contentVariables: p.get('ContentVariables'),
      numSegments,
      params: p,
    });
    const date = rfc2822(this.#opts.now?.() ?? Date.now());
    const uri = `/2010-04-01/Accounts/${this.#opts.accountSid}/Messages/${sid}`;
    json(res, 201, {
      account_sid: this.#opts.accountSid,
      api_version: '2010-04-01',
      body: body ?? '',
      date_created: date,
      date_sent: null,
      date_updated: date,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from,
      messaging_service_sid: p.get('MessagingServiceSid'),
      num_media: String(mediaUrls.length),
      num_segments: String(numSegments),
      price: null,
      price_unit: 'USD',
      sid,
      status: 'queued',
      subresource_uris: { media: `${uri}/Media.json`, feedback: `${uri}/Feedback.json` },
      to,
      uri: `${uri}.json`,
    });
  }
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
