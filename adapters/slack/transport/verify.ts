import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { unauthorized } from '../../../src/channel/index.ts';

/** Slack refuses to sign requests older than this, and so do we (replays). */
const MAX_SKEW_MS = 5 * 60_000;

const header = (h: IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Slack's request signature: `v0=` + hex HMAC-SHA256 over `v0:{timestamp}:{raw body}`. */
export function slackSignature(secret: string, timestamp: string | number, body: string | Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`v0:${timestamp}:`);
  mac.update(body);
  return `v0=${mac.digest('hex')}`;
}

/** Throws 401 with the reason unless the request is signed by Slack with `secret` within five minutes of `now`. */
export function verifySlackRequest(secret: string, headers: IncomingHttpHeaders, body: Buffer, now: number): void {
  const signature = header(headers, 'x-slack-signature');
  const timestamp = header(headers, 'x-slack-request-timestamp');
  if (!signature || !timestamp) throw unauthorized('missing X-Slack-Signature or X-Slack-Request-Timestamp');
  const seconds = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || !Number.isFinite(seconds))
    throw unauthorized('X-Slack-Request-Timestamp is not unix seconds');
  if (Math.abs(now - seconds * 1000) > MAX_SKEW_MS)
    throw unauthorized('the request timestamp is more than five minutes away');
  const expected = Buffer.from(slackSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw unauthorized('the Slack signature does not match');
}
