import type { AdapterDefinition } from '../../src/channel/index.ts';
import { type SmsSettings, smsSettings, type WhatsappSettings, whatsappSettings } from './settings.ts';

/** SMS and MMS, plus incoming calls (forwarding, voicemail, missed calls) on the same numbers. */
export const smsDefinition: AdapterDefinition<SmsSettings> = {
  channel: 'sms',
  settings: smsSettings,
  create: async (settings, deps) => {
    const { createTwilioAdapter } = await import('./adapter.ts');
    return createTwilioAdapter('sms', settings, deps);
  },
};

/** WhatsApp through Twilio: free-form within 24 h of the customer's last message, templates after. */
export const whatsappDefinition: AdapterDefinition<WhatsappSettings> = {
  channel: 'whatsapp',
  settings: whatsappSettings,
  create: async (settings, deps) => {
    const { createTwilioAdapter } = await import('./adapter.ts');
    return createTwilioAdapter('whatsapp', { ...settings, voice: undefined }, deps);
  },
};
