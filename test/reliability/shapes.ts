import type { ProviderShape } from './fault-proxy.ts';

/**
 * How each provider fake's API words an outage, and what its Retry-After
 * covers. Twilio's 20429 (too many concurrent requests) is account-wide; a
 * Graph throttle holds the Page; Slack's chat.postMessage limit is per channel.
 */

const reason: Record<number, string> = {
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

const retryHeader = (s?: number): Record<string, string> => (s ? { 'retry-after': String(s) } : {});

export const twilioShape: ProviderShape = {
  name: 'twilio',
  scope: (_method, path) => `account:${/\/Accounts\/(AC[0-9a-f]{32})\//i.exec(path)?.[1] ?? '?'}`,
  error(status, retryAfter) {
    const code = status === 429 ? 20429 : status === 503 ? 20503 : 20500;
    const message = reason[status] ?? 'Error';
    return {
      headers: retryHeader(retryAfter),
      body: JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }),
    };
  },
};

export const graphShape: ProviderShape = {
  name: 'graph',
  scope: (_method, path) => `page:${/^\/v\d+\.\d+\/([^/?]+)\//.exec(path)?.[1] ?? '?'}`,
  error(status, retryAfter) {
    const error =
      status === 429
        ? { message: '(#613) Calls to this api have exceeded the rate limit.', code: 613 }
        : {
            message: 'An unexpected error has occurred. Please retry your request later.',
            code: 2,
            is_transient: true,
          };
    return {
      headers: retryHeader(retryAfter),
      body: JSON.stringify({ error: { ...error, type: 'OAuthException', fbtrace_id: 'Outage' } }),
    };
  },
};

export const slackShape: ProviderShape = {
  name: 'slack',
  scope(_method, path, body) {
    const method = /^\/api\/([a-zA-Z.]+)/.exec(path)?.[1] ?? '?';
    let channel = '';
    try {
      channel = body.trimStart().startsWith('{')
        ? String((JSON.parse(body) as { channel?: unknown }).channel ?? '')
        : (new URLSearchParams(body).get('channel') ?? '');
    } catch {
      // not a call we can read: the method alone is its scope
    }
    return channel ? `${method}:${channel}` : method;
  },
  error(status, retryAfter) {
    const error = status === 429 ? 'ratelimited' : 'service_unavailable';
    return { headers: retryHeader(retryAfter), body: JSON.stringify({ ok: false, error }) };
  },
};
