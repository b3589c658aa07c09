import { z } from 'zod';

/**
 * `config/contacts.yaml`: how the business writes first to a customer who
 * never wrote on a channel (first contact), and who counts as a VIP.
 */

const channelName = z.string().min(1).describe('A channel name from channels.yaml (email, sms, whatsapp …)');

export const firstContactSettings = z
  .object({
    channels: z
      .array(channelName)
      .default(['email', 'whatsapp', 'sms'])
      .describe('Channels tried, in this order, to reach a contact who has no conversation we can write on'),
    lastActive: z.boolean().default(true).describe('Try the channel the customer last wrote on before the list'),
    consentRequired: z
      .array(channelName)
      .default(['sms', 'whatsapp'])
      .describe(
        'Channels we write first on only with the contact’s recorded consent (SMS always needs it, whatever this says)',
      ),
  })
  .strict();

export const contactsFile = z
  .object({
    firstContact: firstContactSettings.prefault({}),
  })
  .strict();

export type ContactsSettings = z.infer<typeof contactsFile>;
export type FirstContactSettings = z.infer<typeof firstContactSettings>;
