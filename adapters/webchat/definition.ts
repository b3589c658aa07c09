import type { AdapterDefinition } from '../../src/channel/index.ts';
import { type WebchatSettings, webchatSettings } from './settings.ts';

export const webchatDefinition: AdapterDefinition<WebchatSettings> = {
  channel: 'webchat',
  settings: webchatSettings,
  create: async (settings, deps) => {
    const { WebchatAdapter } = await import('./adapter.ts');
    return new WebchatAdapter(settings, deps);
  },
};
