import type { HttpRequest, HttpResponse } from '../../src/channel/index.ts';

/**
 * The request and response shapes botbuilder's `CloudAdapter.process`
 * expects from Express or Restify, over our own request: the body already
 * parsed, and a response whose status, headers and body are captured and
 * returned as an HttpResponse once the SDK ends it.
 */
export interface SdkRequest {
  method: string;
  headers: HttpRequest['headers'];
  body: unknown;
}

export interface SdkResponse {
  status(code: number): SdkResponse;
  header(name: string, value: unknown): SdkResponse;
  send(body?: unknown): SdkResponse;
  end(): SdkResponse;
}

export function sdkRequest(req: HttpRequest, body: unknown): SdkRequest {
  return { method: req.method, headers: req.headers, body };
}

export function capturingResponse(): { res: SdkResponse; result: () => HttpResponse } {
  let status = 200;
  let body: unknown = '';
  const headers: Record<string, string> = {};
  const res: SdkResponse = {
    status(code) {
      status = code;
      return res;
    },
    header(name, value) {
      headers[name.toLowerCase()] = String(value);
      return res;
    },
    send(b) {
      if (b !== undefined) body = b;
      return res;
    },
    end() {
      return res;
    },
  };
  return { res, result: () => ({ status, headers, body }) };
}
