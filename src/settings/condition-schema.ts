import { z } from 'zod';
import { DATE_EXPR_HINT, parseDateExpr, parseSpan, SPAN_HINT } from './date-expr.ts';

/**
 * Conditions of `if` steps. Every key given must hold; `all`, `any` and `not`
 * combine conditions. A value to compare with is a plain value (equal, text
 * compared case-insensitively), a list (one of them), or a test object.
 */

export type Scalar = string | number | boolean | null;

export interface ValueTest {
  matches?: string | undefined;
  exists?: boolean | undefined;
  above?: number | undefined;
  below?: number | undefined;
  within?: string | undefined;
  before?: string | undefined;
  after?: string | undefined;
}

export type Expected = Scalar | Scalar[] | ValueTest;

export interface Condition {
  intent?: string | string[] | undefined;
  touchpoint?: string | string[] | undefined;
  channel?: string | string[] | undefined;
  visibility?: 'public' | 'private' | undefined;
  open?: boolean | undefined;
  verified?: boolean | undefined;
  vip?: boolean | undefined;
  language?: string | string[] | undefined;
  vars?: Record<string, Expected> | undefined;
  contact?: Record<string, Expected> | undefined;
  all?: Condition[] | undefined;
  any?: Condition[] | undefined;
  not?: Condition | undefined;
}

export const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const valueTest = z
  .object({
    matches: z.string().optional().describe('A regular expression the value must match (case-insensitive)'),
    exists: z.boolean().optional().describe('True: the value is set; false: it is not'),
    above: z.number().optional().describe('A number greater than this'),
    below: z.number().optional().describe('A number less than this'),
    within: z
      .string()
      .refine((t) => parseSpan(t) !== null, `write ${SPAN_HINT}`)
      .optional()
      .describe(
        'A date or time from now until before this span ends: `within: 3d` holds for today, tomorrow and the day after; `3 business days` counts opening days',
      ),
    before: z
      .string()
      .refine((t) => parseDateExpr(t) !== null, `write ${DATE_EXPR_HINT}`)
      .optional()
      .describe('A date or time earlier than this: `before: today + 3d`'),
    after: z
      .string()
      .refine((t) => parseDateExpr(t) !== null, `write ${DATE_EXPR_HINT}`)
      .optional()
      .describe('A date or time later than this: `after: today`'),
  })
  .strict();

const expected = z.union([scalar, z.array(scalar).describe('Any one of these values'), valueTest]);

const oneOrMany = z.union([z.string(), z.array(z.string())]);

export const condition: z.ZodType<Condition> = z.lazy(() =>
  z
    .object({
      intent: oneOrMany.optional().describe('The message was classified as (one of) these intents'),
      touchpoint: oneOrMany.optional().describe('Touchpoint kinds: email, sms, webchat, facebook.comment …'),
      channel: oneOrMany.optional().describe('Channels: email, sms, webchat …'),
      visibility: z.enum(['public', 'private']).optional(),
      open: z.boolean().optional().describe('True while the business is open (config/business.yaml hours)'),
      verified: z.boolean().optional().describe('The customer proved their identity in this conversation'),
      vip: z.boolean().optional(),
      language: oneOrMany.optional().describe("The contact's language (ISO 639-1)"),
      vars: z.record(z.string(), expected).optional().describe('Answers, event data and lookup results, by name'),
      contact: z.record(z.string(), expected).optional().describe('Contact attributes, by name'),
      all: z.array(condition).optional().describe('Every one of these holds'),
      any: z.array(condition).optional().describe('At least one of these holds'),
      not: condition.optional().describe('This does not hold'),
    })
    .strict(),
);
