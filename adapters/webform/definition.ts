import type { AdapterDefinition } from '../../src/channel/index.ts';
import { WebformAdapter } from './adapter.ts';
import { type WebformSettings, webformSettings } from './settings.ts';

export const webformDefinition: AdapterDefinition<WebformSettings> = {
  channel: 'webform',
  settings: webformSettings,
  replyVia: 'email',
  create: (settings) => new WebformAdapter(settings),
};
