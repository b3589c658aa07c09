import type { AdapterDefinition } from '../../src/channel/index.ts';
import { type WebformSettings, webformSettings } from './settings.ts';

export const webformDefinition: AdapterDefinition<WebformSettings> = {
  channel: 'webform',
  settings: webformSettings,
  replyVia: 'email',
  create: async (settings) => {
    const { WebformAdapter } = await import('./adapter.ts');
    return new WebformAdapter(settings);
  },
};
