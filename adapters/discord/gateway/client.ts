import { Client, GatewayIntentBits, Partials } from 'discord.js';
import type { DiscordSettings } from '../settings.ts';

/**
 * A discord.js client for the gateway: server messages and DMs with their
 * text (MessageContent is a privileged intent: turn it on for the bot in the
 * developer portal). `Partials.Channel` lets DMs through from channels the
 * client has not cached. The gateway URL is whatever `GET /gateway/bot`
 * answers at the configured REST base.
 */
export function createGatewayClient(settings: DiscordSettings): Client {
  return new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.DirectMessages,
      GatewayIntentBits.MessageContent,
    ],
    partials: [Partials.Channel],
    rest: { api: settings.apiBaseUrl, timeout: settings.requestTimeoutMs },
  });
}
