import { z } from 'zod';

/**
 * The flow file format (flows/*.yaml). A flow has a trigger and steps; each
 * step is an object with one key naming what it does.
 */

const priority = z.enum(['low', 'normal', 'high', 'urgent']);

export const flowTrigger = z
  .object({
    intents: z.array(z.string()).default([]).describe('Start when the message is classified as one of these'),
    keywords: z.array(z.string()).default([]).describe('Start when the message contains one of these'),
    touchpoints: z.array(z.string()).default([]).describe('Only on these touchpoint kinds (empty: all)'),
    visibility: z.enum(['public', 'private', 'any']).default('any'),
    firstMessage: z.boolean().default(false).describe('Start on the first message of a conversation'),
    fallback: z.boolean().default(false).describe('Run when no other flow matches (one flow at most)'),
  })
  .strict();

export const flowStep = z.union([
  z.object({ say: z.string().describe('Template id to send') }).strict(),
  z
    .object({
      handoff: z
        .object({
          team: z.string().optional(),
          reason: z.string().optional(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      set: z
        .object({
          category: z.string().optional(),
          priority: priority.optional(),
          tags: z.array(z.string()).optional(),
        })
        .strict(),
    })
    .strict(),
  z.object({ end: z.literal(true) }).strict(),
]);

export const flowFile = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _'),
    description: z.string().optional(),
    priority: z.number().int().default(0).describe('When several flows match, the highest runs'),
    trigger: flowTrigger,
    steps: z.array(flowStep).min(1),
  })
  .strict();

export type FlowDef = z.infer<typeof flowFile>;
export type FlowStep = z.infer<typeof flowStep>;
