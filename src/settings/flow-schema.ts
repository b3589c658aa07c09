import { z } from 'zod';
import { type Condition, condition, type Scalar, scalar } from './condition-schema.ts';

/**
 * The flow file format (flows/*.yaml). A flow has a trigger and steps; each
 * step is an object with one key naming what it does (plus an optional `id`
 * that `goto` can name). `if` steps hold steps of their own.
 */

const priority = z.enum(['low', 'normal', 'high', 'urgent']);
const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30s, 5m, 2h or 3d')
  .describe('A duration: a number followed by ms, s, m, h or d');
const offset = z
  .string()
  .regex(/^[+-]?\d+(ms|s|m|h|d)$/, 'a duration such as -24h or 30m')
  .describe('Added to the time: -24h is a day before');
const name = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _');
const varName = z.string().regex(/^[a-zA-Z_][\w.]*$/, 'letters, digits, _ and . (e.g. order or order.number)');
const template = z.string().min(1).describe('Template id in config/templates.yaml');
const id = name.optional().describe('A name for this step, so `goto` can jump to it');

export const ANSWER_TYPES = ['text', 'number', 'email', 'phone', 'date', 'time', 'yes_no', 'choice'] as const;
export type AnswerType = (typeof ANSWER_TYPES)[number];

export interface Choice {
  value: string;
  label?: string | undefined;
  keywords: string[];
}

export interface AskStep {
  template: string;
  var: string;
  choices?: Array<string | Choice> | undefined;
  expect: AnswerType;
  pattern?: string | undefined;
  retries: number;
  invalid?: string | undefined;
  timeout?: string | undefined;
  onTimeout: 'continue' | 'end';
  onInvalid: 'continue' | 'end';
  fromMessage: boolean;
  whileHandedOff: 'answer' | 'agent';
}

interface WaitCommon {
  cancelOnReply: boolean;
  cancelOnEvents: string[];
}
export type WaitStep =
  | string
  | (WaitCommon & { for: string; business: boolean })
  | (WaitCommon & { until: string; offset?: string | undefined; ifPast: 'continue' | 'end' });

export interface SetStep {
  category?: string | undefined;
  priority?: z.infer<typeof priority> | undefined;
  tags?: string[] | undefined;
  untag?: string[] | undefined;
  status?: 'open' | 'pending' | 'resolved' | undefined;
  vars?: Record<string, string> | undefined;
  contact?: Record<string, Scalar> | undefined;
}

export interface HandoffStep {
  team?: string | undefined;
  reason?: string | undefined;
  priority?: z.infer<typeof priority> | undefined;
}

export interface VerifyStep {
  via: string[];
  to?: string | undefined;
  code: string;
  prompt: string;
  invalid?: string | undefined;
  retries: number;
  expires: string;
}

export interface CsatStep {
  template: string;
  thanks?: string | undefined;
  low?: string | undefined;
  timeout: string;
}

export interface LookupStep {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: Record<string, string> | undefined;
  save: string;
  timeout: string;
  attempts: number;
  retryDelay: string;
  slow?: string | undefined;
}

export interface KnowledgeStep {
  question: string;
  limit: number;
  offer: string;
  helped: string;
  thanks?: string | undefined;
  none?: string | undefined;
  handoff: HandoffStep;
  timeout: string;
}

type Labelled<T> = T & { id?: string | undefined };

export type FlowStep =
  | Labelled<{ say: string }>
  | Labelled<{ ask: AskStep }>
  | Labelled<{ wait: WaitStep }>
  | Labelled<{ if: Condition; then: FlowStep[]; else?: FlowStep[] | undefined }>
  | Labelled<{ set: SetStep }>
  | Labelled<{ handoff: HandoffStep }>
  | Labelled<{ private: { template?: string | undefined; reason?: string | undefined } }>
  | Labelled<{ verify: VerifyStep }>
  | Labelled<{ csat: CsatStep }>
  | Labelled<{ lookup: LookupStep }>
  | Labelled<{ knowledge: KnowledgeStep }>
  | Labelled<{ start: string }>
  | Labelled<{ goto: string }>
  | Labelled<{ end: true }>;

const choice = z.union([
  z.string().min(1),
  z
    .object({
      value: z.string().min(1),
      label: z.string().optional().describe('What the customer sees (default: the value)'),
      keywords: z.array(z.string()).default([]).describe('Other words that pick this choice'),
    })
    .strict(),
]);

const ask = z
  .object({
    template: template.describe('The question (template id)'),
    var: varName.describe('Where the answer is kept, for templates ({var}) and conditions'),
    choices: z
      .array(choice)
      .min(2)
      .optional()
      .describe('Offered as numbered options (buttons where the channel has them)'),
    expect: z
      .enum(ANSWER_TYPES)
      .default('text')
      .describe(
        'What the answer is: text, number ("12", "twenty", "a dozen"), date ("tomorrow", "the 19th", "next Friday", in the contact\'s timezone and language), time ("3pm"), email, phone, yes_no, or choice (one of `choices`)',
      ),
    pattern: z.string().optional().describe('A regular expression a valid answer matches (case-insensitive)'),
    retries: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(2)
      .describe('Times the question is asked again after an invalid answer'),
    invalid: template.optional().describe('Said before asking again (default: the question alone)'),
    timeout: duration.optional().describe('Stop waiting for an answer after this long'),
    onTimeout: z.enum(['continue', 'end']).default('continue').describe('continue: the next step, with no answer'),
    onInvalid: z.enum(['continue', 'end']).default('continue').describe('After the last retry'),
    fromMessage: z
      .boolean()
      .default(false)
      .describe(
        'Skip the question when the message that started the flow (or the latest one) already answers it: "a cake for 20 on the 19th" fills both a number and a date',
      ),
    whileHandedOff: z
      .enum(['answer', 'agent'])
      .default('agent')
      .describe(
        'When a person owns the conversation as the answer comes: agent (the answer goes to their thread, and the flow goes on without it) or answer (the flow takes it as usual)',
      ),
  })
  .strict();

const waitCommon = {
  cancelOnReply: z.boolean().default(false).describe('A customer message ends this flow while it waits'),
  cancelOnEvents: z.array(z.string()).default([]).describe('Business events that end this flow while it waits'),
};
const wait = z.union([
  duration,
  z
    .object({
      for: duration,
      business: z.boolean().default(false).describe('Count only business hours'),
      ...waitCommon,
    })
    .strict(),
  z
    .object({
      until: z
        .string()
        .min(1)
        .describe('`open` (business hours), or a time from a variable such as "{event.startsAt}"'),
      offset: offset.optional(),
      ifPast: z.enum(['continue', 'end']).default('continue').describe('When that time has already passed'),
      ...waitCommon,
    })
    .strict(),
]);

const set = z
  .object({
    category: z.string().optional(),
    priority: priority.optional(),
    tags: z.array(z.string()).optional().describe('Tags to add'),
    untag: z.array(z.string()).optional().describe('Tags to remove'),
    status: z.enum(['open', 'pending', 'resolved']).optional(),
    vars: z.record(varName, z.string()).optional().describe('Flow variables; {placeholders} are filled in'),
    contact: z
      .record(z.string(), scalar)
      .optional()
      .describe('Contact attributes (`language` sets the reply language)'),
  })
  .strict();

const verify = z
  .object({
    via: z.array(z.string()).min(1).default(['email', 'sms']).describe('Channels on file the code may go to, in order'),
    to: z
      .string()
      .min(1)
      .optional()
      .describe(
        "An address the customer gave in this flow, such as '{email}' or '{phone}': the code goes there instead (an email by the email channel, a number by SMS) and, once proven, it joins the contact as a verified identity",
      ),
    code: template.describe('The message carrying the {code}'),
    prompt: template.describe('Said here: where the code went ({verify.channel}) and to type it in'),
    invalid: template.optional(),
    retries: z.number().int().min(0).max(5).default(2),
    expires: duration.default('10m'),
  })
  .strict();

const csat = z
  .object({
    template: template.describe('The question; the answer is a score from 1 (poor) to 5 (great)'),
    thanks: template.optional(),
    low: template.optional().describe('Said instead of thanks for a score of 1 or 2'),
    timeout: duration.default('2d'),
  })
  .strict();

const lookup = z
  .object({
    url: z.string().min(1).describe('The business endpoint; {variables} are filled in, URL-encoded'),
    method: z.enum(['GET', 'POST']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.record(z.string(), z.string()).optional().describe('POST: JSON fields; {variables} are filled in'),
    save: varName.describe(
      'Name under which the JSON answer is kept: {order.status}; {order.result} is found, not_found or failed',
    ),
    timeout: duration.default('5s'),
    attempts: z.number().int().min(1).max(10).default(3),
    retryDelay: duration.default('30s').describe('Wait before the next attempt; doubles each time'),
    slow: template.optional().describe('Said once when the first attempt fails, before retrying'),
  })
  .strict();

const handoff = z
  .object({
    team: z.string().optional().describe('The team that takes over (config/handoff.yaml)'),
    reason: z.string().optional().describe('Shown to the agent'),
    priority: priority.optional().describe("The conversation's priority from now on: low, normal, high or urgent"),
  })
  .strict();

const knowledge = z
  .object({
    question: z
      .string()
      .min(1)
      .default('{message}')
      .describe('What is searched; {variables} are filled in (default: the message that started the flow)'),
    limit: z.number().int().min(1).max(5).default(3).describe('Answers offered at most'),
    offer: template.describe(
      'Said before two or more answers, offered as choices (buttons where the channel has them, numbered lines otherwise)',
    ),
    helped: template.describe('"Did this help?", asked after the answer, with yes and no as choices'),
    thanks: template.optional().describe('Said after a yes'),
    none: template.optional().describe('Said when nothing in the knowledge base matches; the flow goes on'),
    handoff: handoff
      .default({ reason: 'the knowledge base did not answer the question' })
      .describe('After a no: a person takes over, as the handoff step'),
    timeout: duration.default('1d').describe('Stop waiting for a pick or a yes or no after this long'),
  })
  .strict();

const steps: z.ZodType<FlowStep[]> = z.lazy(() => z.array(flowStep).min(1));

export const flowStep: z.ZodType<FlowStep> = z.lazy(() =>
  z.union([
    z.object({ id, say: template }).strict(),
    z.object({ id, ask }).strict(),
    z.object({ id, wait }).strict(),
    // biome-ignore lint/suspicious/noThenProperty: `then` is the flow format's key, never awaited
    z.object({ id, if: condition, then: steps, else: steps.optional() }).strict(),
    z.object({ id, set }).strict(),
    z.object({ id, handoff }).strict(),
    z
      .object({
        id,
        private: z
          .object({ template: template.optional(), reason: z.string().optional() })
          .strict()
          .describe('Move a public conversation to a private channel'),
      })
      .strict(),
    z.object({ id, verify }).strict(),
    z.object({ id, csat }).strict(),
    z.object({ id, lookup }).strict(),
    z
      .object({ id, knowledge })
      .strict()
      .describe(
        'Search the knowledge base with the question, offer the top answers and ask whether it helped: yes is self-service, no hands off to a person. Sets {knowledge}: helped, not-helped, none or unanswered',
      ),
    z.object({ id, start: name.describe('Continue in another flow (by id)') }).strict(),
    z.object({ id, goto: name.describe('Continue at the step with this id') }).strict(),
    z.object({ id, end: z.literal(true) }).strict(),
  ]),
);

export const flowTrigger = z
  .object({
    intents: z.array(z.string()).default([]).describe('Start when the message is classified as one of these'),
    keywords: z.array(z.string()).default([]).describe('Start when the message contains one of these'),
    touchpoints: z.array(z.string()).default([]).describe('Only on these touchpoint kinds (empty: all)'),
    visibility: z.enum(['public', 'private', 'any']).default('any'),
    firstMessage: z.boolean().default(false).describe('Start on the first message of a conversation'),
    fallback: z.boolean().default(false).describe('Run when no other flow matches (one flow at most)'),
    interrupts: z
      .boolean()
      .default(false)
      .describe(
        'A message that starts this flow ends a question waiting for an answer, even an open one ("can I talk to a person?")',
      ),
    events: z.array(z.string()).default([]).describe('Start on these business events (POST /api/events)'),
    after: z.array(name).default([]).describe('Start when one of these flows ends'),
    unless: z
      .object({
        intents: z.array(z.string()).default([]).describe('Not when the message is classified as one of these'),
        keywords: z.array(z.string()).default([]).describe('Not when the message contains one of these'),
      })
      .strict()
      .prefault({})
      .describe(
        'Messages this flow leaves to others, so precedence is declared: `keywords: [birthday cake]` with `unless: { intents: [pricing] }` leaves "how much is a birthday cake?" to the price list',
      ),
  })
  .strict();

export const flowFile = z
  .object({
    id: name,
    description: z.string().optional(),
    priority: z.number().int().default(0).describe('When several flows match, the highest runs'),
    afterHours: z
      .enum(['run', 'acknowledge'])
      .default('run')
      .describe(
        'Outside opening hours: run (self-service answers at any hour), or acknowledge (the after-hours reply of triage.yaml instead, for flows that need a person)',
      ),
    trigger: flowTrigger,
    steps: z.array(flowStep).min(1),
  })
  .strict();

export type FlowDef = z.infer<typeof flowFile>;
export type FlowTrigger = z.infer<typeof flowTrigger>;
