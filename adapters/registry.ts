import type { AdapterRegistry } from '../src/channel/index.ts';
import { botframeworkDefinition } from './botframework/definition.ts';
import { discordDefinition } from './discord/definition.ts';
import { emailDefinition } from './email/definition.ts';
import { facebookDefinition, instagramDefinition } from './meta/definition.ts';
import { slackDefinition } from './slack/definition.ts';
import { smsDefinition, whatsappDefinition } from './twilio/definition.ts';
import { webchatDefinition } from './webchat/definition.ts';
import { webformDefinition } from './webform/definition.ts';

/** The channel adapters this build ships, by channel name. */
export const adapters: AdapterRegistry = {
  webchat: webchatDefinition,
  webform: webformDefinition,
  email: emailDefinition,
  sms: smsDefinition,
  whatsapp: whatsappDefinition,
  facebook: facebookDefinition,
  instagram: instagramDefinition,
  botframework: botframeworkDefinition,
  discord: discordDefinition,
  slack: slackDefinition,
};
