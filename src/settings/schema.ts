import { z } from 'zod';
import { calendarKeys, timeZoneName } from '../calendar/hours-schema.ts';
import { parseDuration } from '../duration.ts';
import { OUT_EVENT_TYPES } from '../model/out-events.ts';
import { attachmentsSettings } from './attachments-schema.ts';
import { contactsFile } from './contacts-schema.ts';
import { board } from './operations-schema.ts';
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

/** A translation endpoint: LibreTranslate's API, or an OpenAI-compatible chat model. */
export const translationSettings = z
  .object({
    provider: z
      .enum(['libretranslate', 'openai'])
      .describe('libretranslate: POST /translate; openai: POST /chat/completions'),
    url: z.string().url().describe('The endpoint’s base URL, e.g. http://127.0.0.1:5000 or https://api.openai.com/v1'),
    apiKey: z.string().optional().describe('LibreTranslate api_key, or the bearer token of the OpenAI-compatible API'),
    model: z.string().optional().describe('openai: the model that translates (required there)'),
    timeout: duration.default('10s').describe('How long one translation may take'),
  })
  .strict()
  .refine((t) => t.provider !== 'openai' || t.model !== undefined, {
    message: 'an OpenAI-compatible endpoint needs `model`',
    path: ['model'],
  });

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
    translation: translationSettings
      .optional()
      .describe(
        'Off unless set: agents write in `language`, customers read theirs, and the desk thread gets the customer’s words translated',
      ),
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
/** A language variant may name channel variants of its own: German on SMS differs from German by email. */
const languageVariant = z.union([
  z.string(),
  z
    .object({
      text: z.string(),
      subject: z.string().optional(),
      channels: z.record(z.string(), templateVariant).optional().describe('This language’s per-channel variants'),
    })
    .strict(),
]);

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
      languages: z
        .record(z.string(), languageVariant)
        .optional()
        .describe('Per-language variants (de, fr, …), each with its own per-channel variants if needed'),
      whatsapp: whatsappTemplate
        .optional()
        .describe('Sent instead of the text on WhatsApp when the customer has not written in the last 24 hours'),
      marketing: z
        .boolean()
        .optional()
        .describe('Marketing the customer did not ask for: email carries List-Unsubscribe (broadcasts always do)'),
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
        heartbeat: duration.default('1s').describe('How often each router sharing a PostgreSQL store says it is alive'),
        takeOverAfter: duration
          .default('3s')
          .describe('A router silent this long is taken for dead: its webhooks, replies and timers move to the others'),
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
    broadcasts: z
      .object({
        batchSize: z
          .number()
          .int()
          .min(1)
          .max(5000)
          .default(100)
          .describe(
            'Contacts a segment expansion reads per transaction, and recipients queued per round: SQLite answers in the event loop, so a shorter transaction holds up the sends paced on it for less time',
          ),
        window: z
          .number()
          .int()
          .min(1)
          .max(10000)
          .default(200)
          .describe(
            'Messages of one broadcast waiting in the outbox at most: the limiter paces them, and a pause or cancel holds back everything beyond',
          ),
        pollInterval: duration.default('250ms').describe('How often a running broadcast looks for room in its window'),
        desk: board
          .optional()
          .describe(
            'Where a summary of each broadcast is posted when it starts, pauses, resumes, is cancelled and is done: the desk channel (default: crisis.yaml `desk`)',
          ),
      })
      .strict()
      .prefault({}),
    webhooks: z
      .object({
        subscriptions: z
          .record(
            z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
            z
              .object({
                url: z.string().url().describe('Where each event is POSTed'),
                secret: z
                  .string()
                  .min(16)
                  .describe(
                    'Key of the HMAC-SHA256 in the Touchpoint-Signature header, from an environment variable reference',
                  ),
                events: z.array(z.enum(OUT_EVENT_TYPES)).min(1).describe('The events this receiver gets'),
              })
              .strict(),
          )
          .default({})
          .describe('Receivers (CRMs, automations) by name'),
        timeout: duration.default('10s').describe('Time a receiver has to answer; slower answers are retried'),
        maxAttempts: z.number().int().min(1).default(12).describe('Attempts before a delivery becomes a dead letter'),
        backoffBase: duration.default('10s'),
        backoffMax: duration.default('1h'),
        concurrency: z.number().int().min(1).default(8).describe('Deliveries in flight at once'),
      })
      .strict()
      .prefault({})
      .describe('Signed webhooks out: each event POSTed to the receivers that subscribe to it'),
    bugTracker: z
      .object({
        kind: z.enum(['github', 'redmine']),
        baseUrl: z.string().url().describe('The REST API: https://api.github.com, or your Redmine address'),
        project: z.string().min(1).describe('GitHub: owner/repo; Redmine: the project identifier'),
        token: z
          .string()
          .min(1)
          .describe('GitHub token with issues:write, or a Redmine API key (an environment variable reference)'),
        webhookSecret: z
          .string()
          .min(16)
          .optional()
          .describe('GitHub: the secret of the issues webhook calling /webhooks/github (X-Hub-Signature-256)'),
        pollEvery: duration.default('5m').describe('Redmine: how often linked open issues are checked'),
        fixedTemplate: z
          .string()
          .default('bug_fixed')
          .describe('The template each linked customer gets when the bug is fixed'),
      })
      .strict()
      .optional()
      .describe('Bugs logged from the desk in GitHub Issues or Redmine; linked customers are told when fixed'),
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
    attachments: attachmentsSettings.prefault({}).describe('Files customers and agents send (src/attachments/)'),
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
