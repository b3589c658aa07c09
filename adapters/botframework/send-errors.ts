import { permanent, rateLimited, type SendError, transient } from '../../src/channel/index.ts';

const DEFAULT_RETRY_MS = 5_000;
/**
 * MSAL's error codes when Microsoft's sign-in refuses the bot's own app id or
 * password while getting a token for a reply: no retry fixes a configuration.
 */
const SIGN_IN_REFUSALS = new Set(['invalid_client', 'unauthorized_client', 'invalid_scope', 'unsupported_grant_type']);

/**
 * The Bot Connector's failures as the outbox's three kinds. The SDK throws a
 * RestError (recognised by shape: `statusCode`, `code`, `response.headers`):
 * 429 waits for Retry-After, 5xx and network errors retry, other 4xx
 * (conversation gone, bot removed from the team) are permanent, and so is
 * Microsoft's sign-in refusing the bot's credentials.
 */
export function toSendError(err: unknown): SendError {
  const e = (err ?? {}) as {
    statusCode?: unknown;
    code?: unknown;
    message?: unknown;
    response?: { headers?: { get?: (n: string) => string | undefined } };
  };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const signIn = (err as { errorCode?: unknown } | null)?.errorCode;
  if (typeof signIn === 'string' && SIGN_IN_REFUSALS.has(signIn)) {
    return permanent(
      `Microsoft sign-in refused the bot's credentials (${signIn}): check appId, appPassword and tenantId; ${message}`,
      signIn,
      err,
    );
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : null;
  const code = typeof e.code === 'string' ? e.code : null;
  if (status === null) return transient(`the Bot Connector could not be reached: ${message}`, err, code ?? undefined);
  const what = `the Bot Connector answered ${status}${code ? ` (${code})` : ''}: ${message}`;
  if (status === 429) {
    const after = Number(e.response?.headers?.get?.('retry-after'));
    return rateLimited(what, Number.isFinite(after) && after >= 0 ? after * 1000 : DEFAULT_RETRY_MS, code ?? status);
  }
  if (status >= 500) return transient(what, err, code ?? status);
  return permanent(what, code ?? status, err);
}
