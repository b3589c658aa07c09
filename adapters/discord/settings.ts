import { z } from 'zod';
import { reconnectSettings } from '../shared/backoff.ts';

/**
 * The `discord:` block of config/channels.yaml. The token is a secret: write
 * it as `${ENV_VAR}`; the loader resolves it before this schema sees it.
 */

const snowflake = z.string().regex(/^\d{15,21}$/, 'a Discord id (a snowflake: 15 to 21 digits)');

export const discordSettings = z
  .object({
    token: z.string().min(1).describe('The bot token; write it as an environment reference'),
    applicationId: snowflake.optional().describe('The application id, for logs and invite links'),
    apiBaseUrl: z
      .url({ protocol: /^https?$/ })
      .default('https://discord.com/api')
      .describe('Discord REST base URL without the version (a proxy, or a test fake); the gateway URL comes from it'),
    guilds: z.array(snowflake).default([]).describe('Servers the bot answers in; empty: every server it is in'),
    channels: z
      .array(snowflake)
      .default([])
      .describe('Public channels whose every message is a touchpoint (their threads too)'),
    mentions: z
      .boolean()
      .default(true)
      .describe('A message mentioning the bot in any other channel of an allowed server is a touchpoint too'),
    mentionOnly: z
      .boolean()
      .default(false)
      .describe('In the listed channels too, only messages that mention the bot are touchpoints'),
    gateway: z
      .boolean()
      .default(true)
      .describe('Hold the gateway connection here; in scale-out set false on every instance but one (they still send)'),
    directMessages: z.boolean().default(true).describe('Direct messages to the bot are private touchpoints'),
    requestTimeoutMs: z.number().int().min(1000).max(120_000).default(15_000),
    reconnect: reconnectSettings(
      'Back-off between attempts when the first login fails (discord.js reconnects by itself after that)',
    ),
  })
  .strict();

export type DiscordSettings = z.infer<typeof discordSettings>;
