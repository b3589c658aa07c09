import type { AdapterDefinition } from '../../src/channel/index.ts';
import { type EmailSettings, emailSettings } from './settings.ts';

/** The email channel as the core loads it: settings schema and factory. */
export const emailDefinition: AdapterDefinition<EmailSettings> = {
  channel: 'email',
  settings: emailSettings,
  create: async (settings, deps) => {
    const { createEmailAdapter } = await import('./adapter.ts');
    return createEmailAdapter(settings, deps.log);
  },
};
