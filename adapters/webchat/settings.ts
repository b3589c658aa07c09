import { z } from 'zod';
import { parseDuration } from '../../src/channel/index.ts';

const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30s, 1m or 1h');
const origin = z
  .string()
  .regex(/^(\*|https?:\/\/[^/\s]+)$/, 'an origin such as https://www.example.com (no path), or * for any site');

export const webchatSettings = z
  .object({
    title: z
      .string()
      .min(1)
      .max(100)
      .default('Chat with us')
      .describe('The business name shown on the landing page and at the top of the chat'),
    welcome: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .describe('A greeting shown to every visitor above the conversation (not stored)'),
    accentColor: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'a colour such as #2f6f5e')
      .default('#2f6f5e')
      .describe('Colour of the chat header, your messages and the widget button'),
    allowedOrigins: z
      .array(origin)
      .default([])
      .describe('Websites that may embed the chat widget and call its API, e.g. https://www.example.com'),
    maxMessageLength: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(2000)
      .describe('Longest message a visitor may send, in characters; the API refuses a longer one with 413'),
    ipRateLimit: z
      .object({
        max: z.number().int().min(1).default(20).describe('Messages one address may send per window'),
        window: duration.default('1m'),
      })
      .strict()
      .prefault({})
      .describe('Per-address limit on new sessions and messages'),
    uploads: z
      .object({
        enabled: z.boolean().default(true).describe('Visitors may send photos (JPEG, PNG, GIF, WebP) and PDFs'),
        maxBytes: z
          .number()
          .int()
          .min(1)
          .max(25 * 1024 * 1024)
          .default(5 * 1024 * 1024)
          .describe('Largest file a visitor may send; the API refuses a larger one with 413'),
        perVisitor: z
          .object({
            max: z.number().int().min(1).default(5).describe('Files one visitor may send per window'),
            window: duration.default('10m'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({})
      .describe('Files from visitors: checked by their bytes (not their name), kept in the blob store'),
  })
  .strict();

export type WebchatSettings = z.infer<typeof webchatSettings>;

export const windowMs = (s: WebchatSettings) => parseDuration(s.ipRateLimit.window);
