import { type DiscordSettings, discordSettings } from '../../../../adapters/discord/settings.ts';
import { FakeDiscord } from '../../../fakes/discord/fake-discord.ts';
import type { FakeGuild, FakeUser } from '../../../fakes/discord/payloads.ts';
import { snowflake } from '../../../fakes/discord/snowflake.ts';

export const TOKEN = 'fake-bot-token';

/** One server with a listed #help channel (and a thread in it) and an unlisted #general. */
export interface World {
  discord: FakeDiscord;
  guild: FakeGuild;
  help: string;
  general: string;
  thread: string;
  cora: FakeUser;
  otherBot: FakeUser;
  settings(overrides?: Record<string, unknown>): DiscordSettings;
}

export async function startWorld(): Promise<World> {
  const help = snowflake();
  const general = snowflake();
  const thread = snowflake();
  const guild: FakeGuild = {
    id: snowflake(),
    name: 'Harbour Street Bakery',
    channels: [
      { id: general, name: 'general' },
      { id: help, name: 'help' },
    ],
    threads: [{ id: thread, name: 'cake order', parentId: help }],
  };
  const discord = await FakeDiscord.start({ token: TOKEN, guilds: [guild] });
  return {
    discord,
    guild,
    help,
    general,
    thread,
    cora: { id: snowflake(), username: 'cora', global_name: 'Cora' },
    otherBot: { id: snowflake(), username: 'other-bot', bot: true },
    settings: (overrides = {}) =>
      discordSettings.parse({ token: TOKEN, apiBaseUrl: discord.apiBaseUrl, channels: [help], ...overrides }),
  };
}
