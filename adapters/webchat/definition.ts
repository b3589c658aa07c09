import type { AdapterDefinition } from '../../src/channel/index.ts';
import { WebchatAdapter } from './adapter.ts';
import { type WebchatSettings, webchatSettings } from './settings.ts';

export const webchatDefinition: AdapterDefinition<WebchatSettings> = {
  channel: 'webchat',
  settings: webchatSettings,
  create: (settings, deps) => new WebchatAdapter(settings, deps),
};
