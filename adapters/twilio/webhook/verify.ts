import twilio from 'twilio';
import { badRequest, forbidden, type HttpRequest } from '../../../src/channel/index.ts';

/** Webhook parameters as Twilio sent them; a repeated name keeps every value. */
export type WebhookParams = Record<string, string | string[]>;

const isJson = (req: HttpRequest) => /^application\/json\b/i.test(String(req.headers['content-type'] ?? ''));

/**
 * Checks `X-Twilio-Signature` with the twilio library's own validator, over
 * the public URL Twilio called (query string included) and every parameter
 * received. JSON bodies are signed through a `bodySHA256` query parameter
 * instead. Throws 400 without a signature, 403 with a wrong one.
 */
export function verifyWebhook(req: HttpRequest, authToken: string): void {
  const header = req.headers['x-twilio-signature'];
  const signature = Array.isArray(header) ? header[0] : header;
  if (!signature) throw badRequest('missing X-Twilio-Signature', 'missing_signature');
  const body = req.rawBody.toString('utf8');
  const valid = isJson(req)
    ? twilio.validateRequestWithBody(authToken, signature, req.publicUrl, body)
    : twilio.validateRequest(authToken, signature, req.publicUrl, formParams(body));
  if (!valid) throw forbidden('invalid X-Twilio-Signature');
}

/** The parameters of a verified request; 400 when a JSON body is not an object. */
export function webhookParams(req: HttpRequest): WebhookParams {
  const body = req.rawBody.toString('utf8');
  return isJson(req) ? jsonParams(body) : formParams(body);
}

export function formParams(body: string): WebhookParams {
  const out: WebhookParams = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const had = out[name];
    out[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  return out;
}

function jsonParams(body: string): WebhookParams {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw badRequest('body is not valid JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw badRequest('JSON body must be an object');
  const out: WebhookParams = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/** The single value of a parameter (the first when repeated), or null. */
export function param(params: WebhookParams, name: string): string | null {
  const v = params[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined || first === '' ? null : first;
}
