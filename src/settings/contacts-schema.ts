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

const attributeRule = z
  .object({
    attribute: z.string().min(1).describe('A contact attribute (lifetimeSpend, plan …)'),
    atLeast: z.number().optional().describe('VIP when the attribute is a number at least this'),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional().describe('VIP when the attribute is this'),
  })
  .strict()
  .refine((r) => (r.atLeast === undefined) !== (r.equals === undefined), {
    message: 'give atLeast or equals (one of them)',
  });

export const vipCriteria = z
  .object({
    identities: z
      .array(z.string().min(1))
      .default([])
      .describe('Email addresses and numbers (+447700900123) of VIP customers'),
    tags: z.array(z.string().min(1)).default([]).describe('A contact with one of these tags is VIP'),
    attributes: z.array(attributeRule).default([]).describe('A contact meeting one of these rules is VIP'),
  })
  .strict();

const dataPath = z
  .string()
  .regex(/^[\w-]+(\.[\w-]+)*$/, 'a field of the event data, dotted for nested ones: total, order.total')
  .describe('A field of the event data');

export const eventAttributes = z
  .object({
    event: z.string().min(1).describe('The business event type, e.g. purchase.completed'),
    add: z
      .record(z.string().min(1), dataPath)
      .default({})
      .describe('Attributes the event adds its number to: { lifetimeSpend: total }'),
    set: z
      .record(z.string().min(1), dataPath)
      .default({})
      .describe('Attributes the event sets: { lastOrder: orderId }'),
  })
  .strict();

export const contactsFile = z
  .object({
    firstContact: firstContactSettings.prefault({}),
    vip: vipCriteria
      .optional()
      .describe('Who is VIP; when given, the contact’s VIP flag follows these criteria and each change is recorded'),
    fromEvents: z
      .array(eventAttributes)
      .default([])
      .describe('Contact attributes business events keep up to date (lifetime spend, last order …)'),
  })
  .strict();

export type ContactsSettings = z.infer<typeof contactsFile>;
export type FirstContactSettings = z.infer<typeof firstContactSettings>;
export type VipCriteria = z.infer<typeof vipCriteria>;
export type EventAttributes = z.infer<typeof eventAttributes>;
