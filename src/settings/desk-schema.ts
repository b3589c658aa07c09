import { z } from 'zod';
import { weeklyHours } from '../calendar/hours-schema.ts';

/**
 * desk.yaml: how the desk works a conversation a person was asked for —
 * who gets it (assignment by rules, only agents on shift), the acknowledgement
 * a waiting customer gets, and the disposition a resolution records.
 * Without the file, or a section of it, that part is off.
 */

const code = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _');
const list = z.array(z.string().min(1)).default([]);

export const deskAgent = z
  .object({
    name: z.string().min(1).optional().describe('Shown on the header card; defaults to the id'),
    shifts: weeklyHours.describe(
      'Weekly shifts in the business timezone, e.g. mon: ["09:00-17:00"]; holidays of business.yaml are off',
    ),
    skills: z
      .object({
        categories: list.describe('Categories they take (empty: any)'),
        languages: list.describe('Customer languages they answer, ISO 639-1 (empty: any)'),
        channels: list.describe('Channels they work (empty: any)'),
      })
      .strict()
      .prefault({}),
    cap: z.number().int().min(1).optional().describe('Open conversations at most; default `assignment.cap`'),
  })
  .strict();

const priority = z.enum(['low', 'normal', 'high', 'urgent']);

export const deskTier = z
  .object({
    name: z.string().min(1).describe('L1, L2, management …'),
    team: z
      .string()
      .min(1)
      .optional()
      .describe('The desk team the conversation moves to (the Slack desk routes a team to its channel)'),
    when: z
      .object({
        categories: list.describe('The conversation is of one of these categories'),
        priorities: z.array(priority).default([]).describe('… or at one of these priorities'),
        vip: z.boolean().optional().describe('… or (true) the customer is a VIP'),
        sentimentAtOrBelow: z.number().optional().describe('… or a message scores this or lower (triage.yaml words)'),
        unresolvedFor: z
          .string()
          .regex(/^\d+(m|h|d)$/, 'a duration such as 30m, 4h or 2d')
          .optional()
          .describe('… or the customer writes again this long after the conversation opened'),
      })
      .strict()
      .prefault({})
      .describe('Any one criterion moves a handed-off conversation up to this tier; none: reached by hand only'),
  })
  .strict();

export const deskFile = z
  .object({
    assignment: z
      .object({
        strategy: z
          .enum(['round-robin', 'least-open'])
          .default('least-open')
          .describe('Among the agents who fit: in turn, or the one with the fewest open conversations'),
        cap: z.number().int().min(1).default(8).describe('Open conversations per agent at most'),
        agents: z
          .record(code, deskAgent)
          .default({})
          .describe('Agent id (as conversations name the assignee) → shifts, skills and cap'),
      })
      .strict()
      .optional()
      .describe('Assigns conversations handed to a person to an agent on shift, and again when they go off shift'),
    acknowledge: z
      .object({
        template: z
          .string()
          .min(1)
          .default('desk_ack')
          .describe('Template id in templates.yaml; {expected} is the response time of sla.yaml'),
        always: z
          .boolean()
          .default(false)
          .describe('Also when an agent on shift has room; by default only when nobody does'),
      })
      .strict()
      .optional()
      .describe(
        'In opening hours, a customer handed to a person who cannot be answered in time is told when to expect one, once per wait',
      ),
    tiers: z
      .array(deskTier)
      .default([])
      .describe('Escalation levels, lowest first: every handoff starts at the first; criteria move it up'),
    resolution: z
      .object({
        dispositions: z
          .record(code, z.string().min(1))
          .default({})
          .describe('Disposition code → label agents pick when resolving'),
        requiredFor: list.describe('Categories whose conversations cannot be resolved without a disposition'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type DeskSettings = z.infer<typeof deskFile>;
export type DeskAgentSettings = z.infer<typeof deskAgent>;
export type ResolutionSettings = DeskSettings['resolution'];
export type DeskTier = z.infer<typeof deskTier>;
