import { z } from 'zod';
import { parseDuration } from '../../src/channel/index.ts';

export const FORM_ID = /^[A-Za-z0-9_-]{1,64}$/;
const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30s, 10m or 1h');
const origin = z
  .string()
  .regex(/^(\*|https?:\/\/[^/\s]+)$/, 'an origin such as https://www.example.com (no path), or * for any site');

export const webformSettings = z
  .object({
    forms: z
      .array(z.string().regex(FORM_ID, 'a form id of letters, digits, - or _'))
      .default([])
      .describe('Form ids accepted at POST /webform/<id>; empty accepts any id'),
    honeypotField: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'a form field name')
      .default('website')
      .describe('A field hidden from people: a submission that fills it is a bot, answered as success and dropped'),
    redirectUrl: z
      .string()
      .url()
      .optional()
      .describe('Where a browser goes after posting the form; default our own thank-you page'),
    thankYou: z
      .string()
      .min(1)
      .max(500)
      .default('Thanks! We have your message and will get back to you by email.')
      .describe('Text of the built-in thank-you page'),
    allowedOrigins: z
      .array(origin)
      .default([])
      .describe('Other websites that may post the form with JavaScript (fetch); plain HTML forms need no entry'),
    maxMessageLength: z.number().int().min(1).max(50_000).default(5000),
    ipRateLimit: z
      .object({
        max: z.number().int().min(1).default(5).describe('Submissions one address may make per window'),
        window: duration.default('10m'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type WebformSettings = z.infer<typeof webformSettings>;

export const windowMs = (s: WebformSettings) => parseDuration(s.ipRateLimit.window);
