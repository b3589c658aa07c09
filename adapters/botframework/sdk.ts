import {
  type Activity,
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type ConversationReference,
  TurnContext,
} from 'botbuilder';
import { type HttpRequest, type HttpResponse, truncate } from '../../src/channel/index.ts';
import type { BotReplyRef } from './activity.ts';
import type { BotframeworkSettings } from './settings.ts';
import type { SuggestedActions } from './suggested-actions.ts';

/**
 * Everything that touches botbuilder lives here: Microsoft archived the SDK,
 * and its successor should replace this one file. The rest of the adapter
 * sees plain data.
 */
export interface BotSdk {
  /**
   * Runs an activity through the CloudAdapter, `onActivity` inside the turn.
   * The request is authenticated first (the JWT, when an app id is set): any
   * failure to do so, the OpenID metadata out of reach included, answers 401.
   * What fails inside the turn is thrown to the caller, not turned into a 500.
   */
  process(req: HttpRequest, body: unknown, onActivity: (activity: unknown) => Promise<void>): Promise<HttpResponse>;
  /** Posts a message into the referenced conversation, as a reply to the referenced activity; the provider's id. */
  send(
    reference: BotReplyRef,
    message: {
      text: string;
      attachments?: { contentType: string; contentUrl: string; name?: string }[];
      suggestedActions?: SuggestedActions;
    },
  ): Promise<string | null>;
  /** The bot's own token for the channel's connector (attachments it serves), or null when authentication is off. */
  connectorToken(): Promise<string | null>;
}

/** The SDK's own public-cloud settings (AuthenticationConstants, which botbuilder does not export). */
const PUBLIC_CLOUD = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  CallerId: CallerIdConstants.PublicAzureChannel,
  ValidateAuthority: true,
};

type Authenticated = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

/**
 * CloudAdapter's own `process` answers 500 for anything but its
 * AuthenticationError (a malformed token, metadata it could not fetch) and for
 * every failure of the turn; this one authenticates, then runs the turn.
 */
class TurnAdapter extends CloudAdapter {
  readonly #auth: ConfigurationBotFrameworkAuthentication;

  constructor(auth: ConfigurationBotFrameworkAuthentication) {
    super(auth);
    this.#auth = auth;
  }

  async authenticate(activity: Activity, authHeader: string): Promise<Authenticated | Error> {
    try {
      return await this.#auth.authenticateRequest(activity, authHeader);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  turn(authenticated: Authenticated, activity: Activity, logic: (ctx: TurnContext) => Promise<void>) {
    return this.processActivity(authenticated, activity, logic);
  }
}

export function createBotSdk(settings: BotframeworkSettings): BotSdk {
  const app = {
    MicrosoftAppId: settings.appId,
    MicrosoftAppPassword: settings.appPassword ?? '',
    MicrosoftAppType: settings.appType,
    MicrosoftAppTenantId: settings.tenantId ?? '',
  };
  // One credentials factory for replies and attachment fetches: its tokens are cached once.
  const credentials = new ConfigurationServiceClientCredentialFactory(app);
  const auth = new ConfigurationBotFrameworkAuthentication(
    {
      ...app,
      ...(settings.openIdMetadataUrl
        ? {
            // naming one endpoint makes the SDK take every public-cloud endpoint from the configuration
            ...PUBLIC_CLOUD,
            ToBotFromChannelOpenIdMetadataUrl: settings.openIdMetadataUrl,
            ToBotFromEmulatorOpenIdMetadataUrl: settings.openIdMetadataUrl,
          }
        : {}),
    },
    credentials,
  );
  const adapter = new TurnAdapter(auth);

  return {
    async process(req, body, onActivity) {
      const activity = body as Activity;
      const header = req.headers.authorization ?? '';
      const authenticated = await adapter.authenticate(activity, header);
      if (authenticated instanceof Error) {
        return { status: 401, body: { error: 'unauthorized', reason: truncate(authenticated.message, 300) } };
      }
      const invoke = await adapter.turn(authenticated, activity, (ctx) => onActivity(ctx.activity));
      return { status: invoke?.status ?? 200, body: invoke?.body ?? '' };
    },

    async send(reference, message) {
      let id: string | null = null;
      const ref = reference as unknown as ConversationReference;
      await adapter.continueConversationAsync(settings.appId, ref, async (ctx) => {
        const activity: Partial<Activity> = {
          type: 'message',
          text: message.text,
          attachments: message.attachments ?? [],
          ...(message.suggestedActions ? { suggestedActions: message.suggestedActions } : {}),
        };
        // applied by hand so the message answers the customer's activity, not the continuation's own id
        TurnContext.applyConversationReference(activity, ref);
        const [sent] = await ctx.adapter.sendActivities(ctx, [activity]);
        id = sent?.id ?? null;
      });
      return id;
    },

    async connectorToken() {
      if (!settings.appId) return null;
      // The login authority the SDK uses for the bot's own tokens: the app's tenant, or Bot Framework's.
      const tenant = settings.appType === 'SingleTenant' ? settings.tenantId : 'botframework.com';
      const login = `https://login.microsoftonline.com/${tenant}`;
      const creds = await credentials.createCredentials(
        settings.appId,
        PUBLIC_CLOUD.ToChannelFromBotOAuthScope,
        login,
        true,
      );
      return (creds as unknown as { getToken(): Promise<string> }).getToken();
    },
  };
}
