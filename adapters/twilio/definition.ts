import type { AdapterDefinition } from '../../src/channel/index.ts';
import { createTwilioAdapter } from './adapter.ts';
import { type SmsSettings, smsSettings, type WhatsappSettings, whatsappSettings } from './settings.ts';

/** SMS and MMS, plus incoming calls (forwarding, voicemail, missed calls) on the same numbers. */
export const smsDefinition: AdapterDefinition<SmsSettings> = {
  channel: 'sms',
  settings: smsSettings,
  create: (settings, deps) => createTwilioAdapter('sms', settings, deps),
};

/** WhatsApp through Twilio: free-form within 24 h of the customer's last message, templates after. */
export const whatsappDefinition: AdapterDefinition<WhatsappSettings> = {
  channel: 'whatsapp',
  settings: whatsappSettings,
  create: (settings, deps) => createTwilioAdapter('whatsapp', { ...settings, voice: undefined }, deps),
};
