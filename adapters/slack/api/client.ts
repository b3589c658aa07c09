import { webApi } from '@slack/bolt';
import { permanent, rateLimited, SendError, transient } from '../../../src/channel/index.ts';
import type { SlackSettings } from '../settings.ts';

export type WebClient = InstanceType<typeof webApi.WebClient>;

/**
 * The client our own sends use (customer replies, desk posts): it never waits
 * out a 429 or retries by itself, so every failure reaches the outbox or the
 * desk's queue, which hold the channel and try again when Slack allows.
 */
export function createSendClient(settings: SlackSettings, timeoutMs = 15_000): WebClient {
  return new webApi.WebClient(settings.botToken, {
    ...(settings.apiBaseUrl ? { slackApiUrl: settings.apiBaseUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: timeoutMs,
    logLevel: webApi.LogLevel.ERROR,
  });
}

/** Slack error codes that will not go away by trying again. */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'msg_too_long',
  'no_text',
  'invalid_blocks',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'user_not_found',
  'cannot_dm_bot',
  'restricted_action',
  'message_not_found',
  'cant_update_message',
]);

/** A Web API failure as the one error taxonomy sees it. */
export function asSlackSendError(err: unknown): SendError {
  if (err instanceof SendError) return err;
  const e = err as {
    code?: string;
    retryAfter?: number;
    statusCode?: number;
    data?: { error?: string };
    message?: string;
  };
  const message = e?.message ?? String(err);
  switch (e?.code) {
    case webApi.ErrorCode.RateLimitedError:
      return rateLimited(`Slack rate limit: ${message}`, (e.retryAfter ?? 1) * 1000, 'ratelimited');
    case webApi.ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      if (code === 'ratelimited') return rateLimited(`Slack rate limit: ${code}`, null, code);
      return PERMANENT.has(code)
        ? permanent(`Slack refused: ${code}`, code, err)
        : transient(`Slack failed: ${code}`, err, code);
    }
    case webApi.ErrorCode.HTTPError:
      if (e.statusCode === 429) return rateLimited(`Slack rate limit: HTTP 429`, null, 429);
      return (e.statusCode ?? 500) >= 500
        ? transient(message, err, e.statusCode)
        : permanent(message, e.statusCode, err);
    default:
      return transient(message, err);
  }
}
