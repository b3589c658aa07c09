import type { AdapterDefinition } from '../../src/channel/index.ts';
import { type DiscordSettings, discordSettings } from './settings.ts';

/** Discord: a bot's DMs (private) and server channels and threads (public), through discord.js. */
export const discordDefinition: AdapterDefinition<DiscordSettings> = {
  channel: 'discord',
  settings: discordSettings,
  create: async (settings) => {
    const { createDiscordAdapter } = await import('./adapter.ts');
    return createDiscordAdapter(settings);
  },
};
