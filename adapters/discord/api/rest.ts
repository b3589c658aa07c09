import { REST } from 'discord.js';
import type { DiscordSettings } from '../settings.ts';

/**
 * The REST client for sends. It throws on a rate limit instead of waiting
 * (`rejectOnRateLimit`) and never retries by itself (`retries: 0`): the outbox
 * decides when to try again, with the same nonce. Sends go over REST only, so
 * any instance can send, whichever one holds the gateway connection.
 */
export function createSendRest(settings: DiscordSettings): REST {
  return new REST({
    api: settings.apiBaseUrl,
    rejectOnRateLimit: () => true,
    retries: 0,
    timeout: settings.requestTimeoutMs,
  }).setToken(settings.token);
}
