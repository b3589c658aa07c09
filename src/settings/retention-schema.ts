import { z } from 'zod';
import { parseDuration } from '../duration.ts';

/**
 * `config/retention.yaml`: how long data is kept, per channel. Each limit is
 * an age (`30d`); left out, that data is kept forever. The run deletes in
 * small batches, keeps the anonymous counts the metrics read, and never
 * touches what still waits to be routed or sent.
 */

const age = z
  .string()
  .regex(/^\d+(h|d)$/, 'an age in hours or days, such as 36h or 90d')
  .describe('An age: a number followed by h or d');

/** Providers redeliver a webhook for up to three days; the stored event is what recognises a redelivery. */
const MIN_RAW_MS = 7 * 86_400_000;

export const retentionLimits = z
  .object({
    rawPayloads: age
      .optional()
      .refine((a) => a === undefined || parseDuration(a) >= MIN_RAW_MS, {
        message: 'raw payloads are what recognises a redelivered webhook: keep them at least 7d',
      })
      .describe('Routed inbound events (the provider’s raw payload) and unreadable payloads, after this age'),
    messages: age
      .optional()
      .describe('Messages and notes with their attachment links, after this age (none still waiting to be sent)'),
    resolvedConversations: age
      .optional()
      .describe(
        'Resolved or closed conversations untouched for this long: emptied to an anonymous shell the metrics still count',
      ),
  })
  .strict();

export const retentionFile = z
  .object({
    retention: z
      .object({
        every: z
          .string()
          .regex(/^\d+(m|h|d)$/, 'a duration such as 30m, 12h or 1d')
          .default('1d')
          .describe('How often the retention run starts (a durable timer)'),
        batchSize: z
          .number()
          .int()
          .min(10)
          .max(10_000)
          .default(200)
          .describe('Rows deleted per transaction: small batches never hold the router up for long'),
        default: retentionLimits.prefault({}).describe('Limits for every channel without its own'),
        channels: z
          .record(z.string(), retentionLimits)
          .default({})
          .describe('Limits of one channel; a limit left out here falls back to the default'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RetentionSettings = z.infer<typeof retentionFile>['retention'];
export type RetentionLimits = z.infer<typeof retentionLimits>;
