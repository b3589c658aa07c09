import { z } from 'zod';
import { scalar } from '../settings/condition-schema.ts';

/**
 * Flow tests: a transcript is a script of what happens (the customer says X,
 * a business event arrives, time passes, the router restarts) and what must
 * follow (the bot says Y, the conversation is in state Z), run on a virtual
 * clock against the real flows and templates.
 */

const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30s, 5m, 2h or 3d');
const instant = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO time such as 2026-03-03T10:00:00Z')
  .describe('An ISO 8601 time, e.g. 2026-03-03T10:00:00Z');

const expectations = {
  bot: z
    .array(z.string())
    .optional()
    .describe(
      'The replies expected since the previous step, in order: each a piece of the text, or /a regular expression/; [] for none',
    ),
  notes: z
    .array(z.string())
    .optional()
    .describe(
      'Internal notes agents see in the thread since the previous step (pieces of text or /regex/); [] for none',
    ),
  elsewhere: z
    .array(z.string())
    .optional()
    .describe("Messages expected on the contact's other conversations (a one-time code)"),
  events: z
    .array(z.string())
    .optional()
    .describe('Event types raised since the previous step (handoff, csat, move-to-private …)'),
  refused: z.string().optional().describe('The business event must be refused with this error code'),
  state: z
    .object({
      running: z.array(z.string()).optional().describe('Flows waiting in the conversation, exactly'),
      waiting: z
        .enum(['ask', 'wait', 'lookup', 'verify', 'csat', 'knowledge', 'none'])
        .optional()
        .describe('What the newest waiting flow waits for'),
      vars: z.record(z.string(), scalar).optional().describe('Variables of the newest waiting flow'),
      ended: z
        .array(z.string())
        .optional()
        .describe('Flows that ended here, as flow or flow:outcome (done, cancelled …)'),
      priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
      category: z.string().nullable().optional(),
      status: z.enum(['open', 'pending', 'snoozed', 'resolved', 'closed']).optional(),
      intent: z.string().nullable().optional(),
      tags: z.array(z.string()).optional().describe('Tags the conversation has (others may be there too)'),
      notTags: z.array(z.string()).optional().describe('Tags it must not have'),
      handoff: z.boolean().optional(),
      verified: z.boolean().optional(),
      contact: z.record(z.string(), scalar).optional().describe('Contact fields (name, language, vip) and attributes'),
    })
    .strict()
    .optional(),
};

const agentStep = z
  .object({
    as: z.string().min(1).default('maya').describe('The agent acting (default: maya)'),
    reply: z.string().min(1).optional().describe('The agent replies to the customer'),
    note: z.string().min(1).optional().describe('The agent writes an internal note (never sent)'),
    resolve: z.literal(true).optional().describe('The agent resolves the conversation'),
    survey: z.string().optional().describe('With resolve: the flow started as the survey (default: none)'),
    assign: z.string().nullable().optional().describe('The agent assigns the conversation (null: unassigns)'),
  })
  .strict()
  .refine(
    (a) => [a.reply, a.note, a.resolve, a.assign].filter((x) => x !== undefined).length === 1,
    'an agent step does one thing: write either reply, note, resolve or assign',
  );

export const transcriptStep = z
  .object({
    customer: z
      .string()
      .optional()
      .describe('The customer writes this; {code} is the last one-time code sent to them elsewhere'),
    event: z.string().optional().describe('A business event of this type arrives (POST /api/events)'),
    data: z.record(z.string(), z.unknown()).optional().describe("The event's data"),
    id: z.string().optional().describe("The event's id (a second event with the same id is ignored)"),
    email: z.string().optional().describe('The event names the customer by this email address (as a shop would)'),
    phone: z.string().optional().describe('The event names the customer by this number, e.g. +447700900123'),
    after: duration.optional().describe('Time passes: every timer due meanwhile fires at its time'),
    at: instant.optional().describe('Time passes until this instant'),
    restart: z.literal(true).optional().describe('The router stops and starts again on the same database'),
    agent: agentStep.optional().describe('A person acts in the conversation: reply, note, resolve or assign'),
    ...expectations,
  })
  .strict();

const lookupReply = z
  .object({
    path: z.string().startsWith('/').describe('The request path the answer is for, e.g. /orders/HSB-10234'),
    method: z.enum(['GET', 'POST']).default('GET'),
    status: z.number().int().min(100).max(599).default(200),
    body: z.unknown().optional().describe('The JSON answer'),
    hang: z.boolean().default(false).describe('Never answer: the request times out'),
  })
  .strict();

export const transcriptFile = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    start: instant
      .default('2026-03-03T10:00:00Z')
      .describe('When the transcript starts (default: a Tuesday, 10:00 UTC)'),
    touchpoint: z
      .object({
        channel: z.string().default('webchat'),
        kind: z.string().optional().describe('Default: the channel name'),
        visibility: z.enum(['public', 'private']).default('private'),
      })
      .strict()
      .prefault({}),
    contact: z
      .object({
        name: z.string().nullable().default('Ada'),
        language: z.string().nullable().default(null),
        timezone: z
          .string()
          .nullable()
          .default(null)
          .describe('The contact\'s timezone (Europe/Berlin): "tomorrow" is read in it; default the business\'s'),
        vip: z.boolean().default(false),
        attributes: z.record(z.string(), z.unknown()).default({}),
        onFile: z
          .array(z.string())
          .default([])
          .describe('Channels the contact already has a private conversation on (email, sms …)'),
        email: z.string().optional().describe('An email address on file for the contact'),
        phone: z.string().optional().describe('A number on file for the contact, e.g. +447700900123'),
      })
      .strict()
      .prefault({}),
    lookups: z
      .array(lookupReply)
      .default([])
      .describe("Scripted answers of the business's HTTP endpoints (unlisted: 404)"),
    script: z.array(transcriptStep).min(1),
  })
  .strict();

export type Transcript = z.infer<typeof transcriptFile>;
export type TranscriptStep = z.infer<typeof transcriptStep>;
export type LookupReply = z.infer<typeof lookupReply>;
