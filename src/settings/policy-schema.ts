import { z } from 'zod';
import { type DeskSettings, deskFile } from './desk-schema.ts';
import {
  type DraftSettings,
  type KnowledgeArticle,
  type KnowledgeSettings,
  knowledgeFile,
} from './knowledge-schema.ts';
import { type CrisisSettings, crisisFile, type ReviewSettings, reviewsFile } from './operations-schema.ts';
import { duration, patterns, personRef, priority, templateId, words } from './policy-parts.ts';

export { type DraftSettings, type KnowledgeArticle, type KnowledgeSettings, knowledgeFile };

/**
 * The policy files of `config/`: triage.yaml (after hours, urgency,
 * sentiment), knowledge.yaml, handoff.yaml (public-to-private and the
 * public-send guard), sla.yaml and oncall.yaml. A file or section that is
 * absent turns its policy off, except the public-send guard, which always runs.
 */

export const triageFile = z
  .object({
    afterHours: z
      .object({
        enabled: z.boolean().default(true),
        acknowledge: templateId
          .default('after_hours_ack')
          .describe('Sent once per closed period; {opening} is the next opening'),
        acknowledgeUrgent: templateId
          .optional()
          .describe('Sent instead when the message is urgent and on-call was paged'),
        knowledge: z.boolean().default(true).describe('Add matching answers from knowledge.yaml'),
        runFlows: z.boolean().default(false).describe('Also run the engagement flows outside opening hours'),
        queueForOpening: z
          .boolean()
          .default(true)
          .describe('Snooze conversations that are not urgent until the next opening'),
      })
      .strict()
      .optional()
      .describe('Outside opening hours: acknowledge, answer from the knowledge base, page on-call when urgent'),
    urgency: z
      .object({
        keywords: words,
        patterns,
        vip: z.boolean().default(true).describe('Messages from VIP contacts are urgent outside opening hours'),
        sentimentAtOrBelow: z
          .number()
          .nullable()
          .default(null)
          .describe('A sentiment score at or below this is urgent'),
        page: z
          .boolean()
          .default(true)
          .describe('Page on-call (oncall.yaml) for urgent messages outside opening hours'),
      })
      .strict()
      .optional(),
    sentiment: z
      .object({
        words: z
          .record(z.string().min(1), z.number().min(-5).max(5))
          .default({})
          .describe('Word or phrase → score from -5 (very negative) to 5 (very positive)'),
        negators: z.array(z.string().min(1)).default(['not', 'no', 'never', "don't", "isn't", "wasn't", "didn't"]),
      })
      .strict()
      .optional(),
  })
  .strict();

const handoffReason = z.enum(['complaint', 'negative', 'personalData']);

export const handoffRule = z
  .object({
    name: z.string().min(1).optional(),
    touchpoints: z
      .array(z.string().min(1))
      .min(1)
      .describe('Public touchpoint kinds: facebook.comment, slack.channel …'),
    when: z.array(handoffReason).default(['complaint', 'negative', 'personalData']),
    routes: z
      .array(z.string().min(1))
      .min(1)
      .default(['privateReply', 'dm', 'email', 'sms', 'whatsapp'])
      .describe(
        'Private routes in order: privateReply, dm (same platform), or a channel name (the contact’s known address)',
      ),
    reply: templateId.default('handoff_public').describe('The one public reply when a private conversation was opened'),
    invite: templateId.default('handoff_invite').describe('The public reply when no private route exists: invite a DM'),
    privateMessage: templateId.default('handoff_private').describe('First message of the private conversation'),
  })
  .strict();

export const handoffFile = z
  .object({
    rules: z.array(handoffRule).default([]).describe('The first rule naming the touchpoint kind applies'),
    complaintIntents: z.array(z.string().min(1)).default(['complaint']),
    negativeAtOrBelow: z.number().default(-3).describe('Sentiment score (triage.yaml) counted as negative'),
    asksForPersonalData: z.object({ keywords: words, patterns }).strict().prefault({}),
    guard: z
      .object({
        patterns: z
          .record(z.string().min(1), z.string().min(1))
          .default({})
          .describe('More private data to refuse in public, by name: order number → regular expression'),
        allow: z
          .array(z.string().min(1))
          .default([])
          .describe('Text that may appear in public: the business’s own address, phone and email'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const slaTargets = {
  firstResponse: duration.optional(),
  nextResponse: duration.optional(),
  resolution: duration.optional(),
};

export const slaPolicy = z
  .object({
    name: z.string().min(1),
    channels: z.array(z.string().min(1)).default([]).describe('Only on these channels (empty: all)'),
    priorities: z.array(priority).default([]).describe('Only at these priorities (empty: all)'),
    vip: z.boolean().optional().describe('Only for VIP contacts (true) or only for others (false)'),
    ...slaTargets,
    hours: z.enum(['business', 'always']).default('business').describe('Measure in opening hours, or around the clock'),
  })
  .strict();

export const escalationStep = z
  .object({
    after: duration.default('0m').describe('Time after the breach (or the previous step), in the policy’s hours'),
    action: z.enum(['notify', 'reassign', 'page']),
    to: z.array(personRef).default([]).describe('notify: people to message; reassign: the one new assignee'),
  })
  .strict();

export const slaFile = z
  .object({
    policies: z.array(slaPolicy).default([]).describe('The first matching policy applies'),
    vip: z
      .object({ priority: priority.default('high').describe('VIP conversations are raised to at least this') })
      .strict()
      .prefault({}),
    warning: z
      .object({
        before: duration.default('15m').describe('Warn this long before a breach'),
        notify: z.array(personRef).default([]).describe('People to message besides the internal note'),
      })
      .strict()
      .prefault({}),
    escalation: z.array(escalationStep).default([]),
  })
  .strict();

export const person = z
  .object({
    name: z.string().min(1),
    channel: z.string().min(1).describe('Channel pages go out on: sms, whatsapp, email, slack …'),
    to: z.string().min(1).describe('Their address on that channel: a phone number, an email address, a user id'),
    kind: z.string().min(1).optional().describe('Identity kind of `to`; defaults from the channel (sms → phone)'),
  })
  .strict();

export const oncallFile = z
  .object({
    people: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _'), person)
      .default({}),
    rotation: z
      .object({
        start: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'a local date and time such as 2026-01-06 07:00')
          .describe('First handover, in the business timezone'),
        every: z.string().regex(/^\d+(d|w)$/, 'a shift length in days or weeks, such as 1d or 1w'),
        order: z.array(z.string().min(1)).min(1).describe('People ids, in turn'),
      })
      .strict()
      .optional(),
    ackTimeout: duration.default('15m').describe('Page the next in the chain when nobody acknowledges within this'),
    chain: z.array(personRef).default(['oncall', 'next']).describe('Who is paged, in order'),
    vip: z
      .array(personRef)
      .default([])
      .describe("Senior people paged first for a VIP customer's conversation, before the chain"),
  })
  .strict();

export type TriageSettings = z.infer<typeof triageFile>;
const share = z.number().min(0).max(1);

/** KPI targets, shown next to every actual; the defaults are the support SOP's. */
export const targetsFile = z
  .object({
    csat: share.default(0.95).describe('Share of CSAT answers scoring 4 or 5 of 5'),
    fcr: share.default(0.85).describe('Share of conversations resolved at first contact'),
    aht: duration.default('15m').describe('Average handle time, at most'),
    backlogBeyondSla: share.default(0.05).describe('Share of the open backlog past an SLA clock, at most'),
    slaAttainment: share.default(0.95).describe('Share of responses given within their SLA clock'),
    reopenRate: share.default(0.05).describe('Share of resolutions reopened, at most'),
    deflection: share.default(0.3).describe('Share of conversations the bot answered with no person needed'),
    firstResponse: z
      .record(z.string(), duration)
      .default({})
      .describe("First response target per channel; without one, the channel's normal policy in sla.yaml"),
  })
  .strict();

export type TargetSettings = z.infer<typeof targetsFile>;

/** Complaint trends: what counts as a complaint, and when a burst of them on public touchpoints raises an alert. */
export const trendsFile = z
  .object({
    complaints: z
      .array(z.string().min(1))
      .default(['complaint'])
      .describe('Intents and categories (intents.yaml) that make a conversation a complaint'),
    spike: z
      .object({
        enabled: z.boolean().default(true),
        multiple: z
          .number()
          .positive()
          .default(3)
          .describe(
            'Alert when complaints on public touchpoints in the last hour exceed this multiple of the average for that hour over the 4 weeks before',
          ),
        minimum: z
          .number()
          .int()
          .min(1)
          .default(5)
          .describe('Complaints in the hour needed for an alert, however low the baseline'),
        quiet: duration.default('2h').describe('After an alert, no other for this long'),
        examples: z.number().int().min(1).max(10).default(3).describe('Latest complaints quoted in the alert'),
      })
      .strict()
      .prefault({}),
    feedback: z
      .record(
        z.string().min(1),
        z
          .object({
            intents: z.array(z.string().min(1)).default([]),
            tags: z.array(z.string().min(1)).default([]),
          })
          .strict(),
      )
      .default({
        feature_request: { intents: ['feature_request'], tags: ['feature-request'] },
        bug_report: { intents: ['bug_report'], tags: ['bug'] },
      })
      .describe('Product feedback exported for the product team: each kind by the intents and tags that mark it'),
  })
  .strict();

export type TrendSettings = z.infer<typeof trendsFile>;
export type HandoffSettings = z.infer<typeof handoffFile>;
export type HandoffRule = z.infer<typeof handoffRule>;
export type HandoffReason = z.infer<typeof handoffReason>;
export type SlaSettings = z.infer<typeof slaFile>;
export type SlaPolicy = z.infer<typeof slaPolicy>;
export type EscalationStep = z.infer<typeof escalationStep>;
export type OncallSettings = z.infer<typeof oncallFile>;
export type Person = z.infer<typeof person>;

/** Every policy file, validated. */
export interface PolicySettings {
  triage: TriageSettings;
  knowledge: KnowledgeSettings;
  /** The Markdown articles of knowledge.yaml's folder. */
  articles: KnowledgeArticle[];
  handoff: HandoffSettings;
  sla: SlaSettings;
  oncall: OncallSettings;
  targets: TargetSettings;
  trends: TrendSettings;
  desk: DeskSettings;
  crisis: CrisisSettings;
  reviews: ReviewSettings;
}

/** The policy files by name, for settings/schema.ts `configFiles`. */
export const policyFiles = {
  'triage.yaml': triageFile,
  'knowledge.yaml': knowledgeFile,
  'handoff.yaml': handoffFile,
  'sla.yaml': slaFile,
  'oncall.yaml': oncallFile,
  'targets.yaml': targetsFile,
  'trends.yaml': trendsFile,
  'desk.yaml': deskFile,
  'crisis.yaml': crisisFile,
  'reviews.yaml': reviewsFile,
} as const;

/** All policies off (no files), the guard's built-in detectors on. */
export function noPolicies(): PolicySettings {
  return {
    triage: triageFile.parse({}),
    knowledge: knowledgeFile.parse({}),
    articles: [],
    handoff: handoffFile.parse({}),
    sla: slaFile.parse({}),
    oncall: oncallFile.parse({}),
    targets: targetsFile.parse({}),
    trends: trendsFile.parse({}),
    desk: deskFile.parse({}),
    crisis: crisisFile.parse({}),
    reviews: reviewsFile.parse({}),
  };
}

/** The identity kind a person of oncall.yaml is reached by: their own `kind`, else their channel's. */
const KIND_BY_CHANNEL: Record<string, string> = {
  sms: 'phone',
  voice: 'phone',
  whatsapp: 'whatsapp',
  email: 'email',
  slack: 'slack',
  discord: 'discord',
  telegram: 'telegram',
};

export function identityKindFor(p: Person): string | null {
  return p.kind ?? KIND_BY_CHANNEL[p.channel] ?? null;
}
