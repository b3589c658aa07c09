import { z } from 'zod';
import { calendarKeys, timeZoneName } from '../calendar/hours-schema.ts';
import { parseDuration } from '../duration.ts';
import { contactsFile } from './contacts-schema.ts';
import { policyFiles } from './policy-schema.ts';
import { retentionFile } from './retention-schema.ts';

/**
 * The business's settings, one schema per file in `config/`. The same
 * definitions validate at start, drive `touchpoint check`, and generate the
 * JSON Schemas editors use (config/schema/).
 */

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 500ms, 30s, 5m, 2h or 3d')
  .describe('A duration: a number followed by ms, s, m, h or d');

export const businessFile = z
  .object({
    name: z.string().min(1).describe('The business name customers see'),
    timezone: timeZoneName.default('UTC'),
    language: z.string().min(2).default('en').describe('Default language of replies (ISO 639-1)'),
    // opening hours: hours, holidays, holidayCalendar, closures, extendedHours, channelHours (src/calendar/)
    ...calendarKeys,
    voice: z
      .object({
        greeting: z.string().default('Hi {name|there}').describe('{variable|fallback} placeholders'),
        signOff: z.string().default(''),
        agentName: z.string().default('{agent}').describe('How agents are named to customers'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const rateLimitOverride = z
  .object({
    minTimeMs: z.number().int().min(0).optional(),
    maxConcurrent: z.number().int().min(1).optional(),
    channelPerSecond: z.number().positive().nullable().optional(),
  })
  .strict();

/** Core keys of a channel block; everything else is the adapter's own settings, validated by its schema. */
export const channelBlock = z
  .object({
    enabled: z.boolean().default(true),
    rateLimit: rateLimitOverride.optional().describe('Overrides the adapter’s default sending rate per destination'),
  })
  .loose();

export const channelsFile = z.object({ channels: z.record(z.string(), channelBlock).default({}) }).strict();

const templateVariant = z.union([z.string(), z.object({ text: z.string(), subject: z.string().optional() }).strict()]);

/** An approved WhatsApp template (Twilio Content API): what goes out when the 24-hour window is closed. */
export const whatsappTemplate = z
  .object({
    contentSid: z
      .string()
      .regex(/^HX[0-9a-fA-F]{32}$/, 'a Content SID from the Twilio console: HX followed by 32 hex digits')
      .describe('The approved template’s Content SID'),
    variables: z
      .record(z.string().regex(/^\d+$/, 'the template’s numbered placeholders: "1", "2" …'), z.string())
      .default({})
      .describe('The template’s placeholders by number, each filled from {variables} like a text template'),
  })
  .strict();

export const templateDef = z.union([
  z.string(),
  z
    .object({
      text: z.string().describe('Default text; {variables} are filled in'),
      channels: z.record(z.string(), templateVariant).optional().describe('Per-channel variants (sms, email, …)'),
      languages: z.record(z.string(), templateVariant).optional().describe('Per-language variants (de, fr, …)'),
      whatsapp: whatsappTemplate
        .optional()
        .describe('Sent instead of the text on WhatsApp when the customer has not written in the last 24 hours'),
    })
    .strict(),
]);

export const templatesFile = z.object({ templates: z.record(z.string(), templateDef).default({}) }).strict();

export const intentDef = z
  .object({
    keywords: z
      .array(z.string().min(1))
      .default([])
      .describe('Words or phrases; matched case-insensitively on word boundaries'),
    patterns: z.array(z.string().min(1)).default([]).describe('Regular expressions (case-insensitive)'),
    category: z.string().optional(),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
  })
  .strict();

export const intentsFile = z.object({ intents: z.record(z.string(), intentDef).default({}) }).strict();

export const routerFile = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(3000),
        publicUrl: z.string().url().optional().describe('The URL providers call, when behind a proxy'),
        trustProxy: z.boolean().default(false),
        adminToken: z
          .string()
          .min(16)
          .optional()
          .describe('Bearer token of the admin API; when absent, the TOUCHPOINT_ADMIN_TOKEN environment variable'),
        limits: z
          .object({
            headersTimeout: duration.default('10s').describe('Time a client has to send the request headers'),
            requestTimeout: duration
              .default('30s')
              .describe('Time a client has to send the whole request, body included; slower ones get 408'),
            maxConnections: z
              .number()
              .int()
              .min(1)
              .default(1000)
              .describe('Connections open at once; requests on more are answered 503'),
            perIpConcurrency: z
              .number()
              .int()
              .min(1)
              .default(50)
              .describe('Requests in flight at once from one client address (webhooks, pages); more are answered 503'),
          })
          .strict()
          .refine((l) => parseDuration(l.headersTimeout) <= parseDuration(l.requestTimeout), {
            message: 'headersTimeout cannot be longer than requestTimeout',
            path: ['headersTimeout'],
          })
          .prefault({})
          .describe('What slow or numerous clients may hold'),
      })
      .strict()
      .prefault({}),
    pipeline: z
      .object({
        workers: z.number().int().min(1).max(256).default(32).describe('Conversations routed in parallel'),
        batchSize: z.number().int().min(1).max(1000).default(200),
        leaseTimeout: duration.default('30s'),
        maxAttempts: z.number().int().min(1).default(5).describe('Routing attempts before an event is marked failed'),
      })
      .strict()
      .prefault({}),
    outbox: z
      .object({
        leaseTimeout: duration.default('60s'),
        maxAttempts: z.number().int().min(1).default(8),
        backoffBase: duration.default('2s'),
        backoffMax: duration.default('10m'),
        concurrency: z.number().int().min(1).default(64).describe('Sends in flight at once, all channels'),
        unconfirmed: z
          .enum(['resend', 'hold'])
          .default('resend')
          .describe(
            'A send cut off by a crash that the provider cannot confirm: resend (the customer may read it twice) or hold it as a dead letter (it may not have gone out); either way the conversation gets a note',
          ),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        kpiRefresh: duration
          .default('1m')
          .describe('How long /metrics reuses the business KPIs before computing them again in the background'),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        synchronous: z
          .enum(['full', 'normal'])
          .default('full')
          .describe(
            'SQLite: full fsyncs what was acknowledged and what is about to be sent, so both survive power loss; normal survives process crashes only',
          ),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type BusinessSettings = z.infer<typeof businessFile>;
export type ChannelBlock = z.infer<typeof channelBlock>;
export type TemplateDef = z.infer<typeof templateDef>;
export type WhatsappTemplate = z.infer<typeof whatsappTemplate>;
export type IntentDef = z.infer<typeof intentDef>;
export type RouterSettings = z.infer<typeof routerFile>;

/** The files of `config/`, by name, with their schemas. */
export const configFiles = {
  'business.yaml': businessFile,
  'channels.yaml': channelsFile,
  'templates.yaml': templatesFile,
  'intents.yaml': intentsFile,
  'router.yaml': routerFile,
  // first contact and VIP criteria (src/outbound/first-contact.ts, src/contacts/vip.ts)
  'contacts.yaml': contactsFile,
  // how long data is kept, per channel (src/privacy/retention.ts)
  'retention.yaml': retentionFile,
  // after-hours triage, knowledge base, public-to-private handoff, SLAs, on-call (src/policies/)
  ...policyFiles,
} as const;
