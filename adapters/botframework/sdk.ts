import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
  TurnContext,
} from 'botbuilder';
import { type AuthenticateRequestResult, AuthenticationError } from 'botframework-connector';
import type { HttpRequest, HttpResponse } from '../../src/server/http-types.ts';
import type { BotReplyRef } from './activity.ts';
import { capturingResponse, type SdkRequest, sdkRequest } from './http-shim.ts';
import type { BotframeworkSettings } from './settings.ts';

/**
 * Everything that touches botbuilder lives here: Microsoft archived the SDK,
 * and its successor should replace this one file. The rest of the adapter
 * sees plain data.
 */
export interface BotSdk {
  /** Runs an activity through the CloudAdapter (JWT checked when an app id is set); `onActivity` runs inside the turn. */
  process(req: HttpRequest, body: unknown, onActivity: (activity: unknown) => Promise<void>): Promise<HttpResponse>;
  /** Posts a message into the referenced conversation, as a reply to the referenced activity; the provider's id. */
  send(
    reference: BotReplyRef,
    message: { text: string; attachments?: { contentType: string; contentUrl: string; name?: string }[] },
  ): Promise<string | null>;
}

/** Failures of the token library itself: a forged or malformed token, refused with 401 like any other bad token. */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/**
 * botbuilder answers 500 when the token library rejects a token (a bad
 * signature, a malformed token) rather than botbuilder itself: a forged
 * request must get 401, and a 500 would ask the channel to send it again.
 */
class TokenCheckingAuthentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    try {
      return await super.authenticateRequest(activity, authHeader);
    } catch (err) {
      const name = (err as { name?: unknown } | null)?.name;
      if (typeof name === 'string' && TOKEN_ERRORS.has(name)) {
        throw new AuthenticationError(`Unauthorized: ${(err as Error).message}`, 401);
      }
      throw err;
    }
  }
}

export function createBotSdk(settings: BotframeworkSettings): BotSdk {
  const auth = new TokenCheckingAuthentication({
    MicrosoftAppId: settings.appId,
    MicrosoftAppPassword: settings.appPassword ?? '',
    MicrosoftAppType: settings.appType,
    MicrosoftAppTenantId: settings.tenantId ?? '',
  });
  const adapter = new CloudAdapter(auth);

  return {
    async process(req, body, onActivity) {
      const { res, result } = capturingResponse();
      const request: SdkRequest = sdkRequest(req, body);
      await adapter.process(request as never, res as never, (ctx) => onActivity(ctx.activity));
      return result();
    },

    async send(reference, message) {
      let id: string | null = null;
      const ref = reference as unknown as ConversationReference;
      await adapter.continueConversationAsync(settings.appId, ref, async (ctx) => {
        const activity: Partial<Activity> = {
          type: 'message',
          text: message.text,
          attachments: message.attachments ?? [],
        };
        // applied by hand so the message answers the customer's activity, not the continuation's own id
        TurnContext.applyConversationReference(activity, ref);
        const [sent] = await ctx.adapter.sendActivities(ctx, [activity]);
        id = sent?.id ?? null;
      });
      return id;
    },
  };
}
