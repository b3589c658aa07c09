import type { AdapterDefinition } from '../../src/channel/index.ts';
import { type BotframeworkSettings, botframeworkSettings } from './settings.ts';

/** Microsoft Teams, Web Chat and Direct Line through a Bot Framework bot registration. */
export const botframeworkDefinition: AdapterDefinition<BotframeworkSettings> = {
  channel: 'botframework',
  settings: botframeworkSettings,
  create: async (settings, deps) => {
    const { createBotframeworkAdapter } = await import('./adapter.ts');
    return createBotframeworkAdapter(settings, deps);
  },
};
