import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
  TurnContext,
} from 'botbuilder';
import type { HttpRequest, HttpResponse } from '../../src/channel/index.ts';
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

export function createBotSdk(settings: BotframeworkSettings): BotSdk {
  const auth = new ConfigurationBotFrameworkAuthentication({
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
