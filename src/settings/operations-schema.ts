import { z } from 'zod';

/**
 * crisis.yaml (one switch that pauses automation and answers every customer
 * with a holding statement) and reviews.yaml (weekly QA samples and the
 * weekly report, posted to staff channels). Both are policy files: read,
 * checked and reloaded with the others.
 */

const personRef = z
  .string()
  .min(1)
  .describe('A person id from oncall.yaml, `oncall` (on duty now) or `next` (next in the rotation)');

/** A staff channel the core posts to, through the outbox like any message. */
export const board = z
  .object({
    channel: z.string().min(1).default('slack').describe('The channel that carries the posts'),
    to: z.string().min(1).describe('Where on that channel: a Slack channel id such as C0123ABCD'),
  })
  .strict();

const weekday = z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time such as 09:00');

export const crisisFile = z
  .object({
    holding: z
      .string()
      .min(1)
      .default('crisis_holding')
      .describe(
        'Template (templates.yaml, per channel and language) every customer writing during a crisis gets, once per conversation',
      ),
    public: z
      .string()
      .min(1)
      .default('crisis_public')
      .describe('Template for conversations on public touchpoints (comments, channel posts) during a crisis'),
    chain: z
      .array(personRef)
      .default([])
      .describe('The crisis chain of command: every one of them is paged when a crisis starts and when it ends'),
    desk: board.optional().describe('Where the crisis banner is posted: the desk channel'),
    pause: z
      .array(z.string().min(1))
      .default(['flow.', 'afterhours.'])
      .describe(
        'Timer kinds (prefixes) that wait while a crisis is on: flow waits and follow-ups, queued after-hours answers',
      ),
  })
  .strict();

export const reviewsFile = z
  .object({
    qa: z
      .object({
        enabled: z.boolean().default(true),
        perAgent: z
          .number()
          .int()
          .min(1)
          .max(50)
          .default(3)
          .describe('Resolved conversations sampled per agent each week'),
        rubric: z
          .array(z.string().min(1).max(60))
          .min(1)
          .default(['greeting', 'identity check', 'accuracy', 'tone', 'SOP followed', 'resolution'])
          .describe('What each review scores, 1 to 5'),
        post: board.optional().describe('The QA channel the week’s samples are posted to'),
        day: weekday.default('monday').describe('Sampling day, business timezone'),
        at: time.default('09:00'),
      })
      .strict()
      .optional()
      .describe('Weekly QA reviews of random resolved conversations'),
    weeklyReport: z
      .object({
        post: board.describe('The channel the report is posted to'),
        day: weekday.default('monday'),
        at: time.default('08:00'),
      })
      .strict()
      .optional()
      .describe("The last 7 days' report (KPIs against targets), posted each week"),
  })
  .strict();

export type Board = z.infer<typeof board>;
export type CrisisSettings = z.infer<typeof crisisFile>;
export type ReviewSettings = z.infer<typeof reviewsFile>;
