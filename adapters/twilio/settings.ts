import { z } from 'zod';
import { E164, isE164, SHORT_CODE, stripWhatsapp } from './numbers.ts';

/** The two channels this adapter serves; voice calls belong to `sms` (same numbers, same threads). */
export type TwilioChannel = 'sms' | 'whatsapp';

const numberEntry = z
  .object({
    number: z.string().min(1).describe('E.164 (+14155550100), a short code (12345), or whatsapp:+E164'),
    kind: z.enum(['longcode', 'tollfree', 'shortcode', 'whatsapp']).describe('Decides the default sending rate'),
    ratePerSecond: z.number().positive().max(1000).optional().describe('Messages per second this number may send'),
  })
  .strict();

const voicemail = z
  .object({
    enabled: z.boolean().default(true),
    prompt: z
      .string()
      .min(1)
      .default('Sorry, we cannot take your call right now. Please leave a message after the tone.'),
    maxLengthSeconds: z.number().int().min(5).max(3600).default(120),
    transcribe: z.boolean().default(true).describe('Twilio transcribes recordings of 2 to 120 seconds'),
  })
  .strict();

const voice = z
  .object({
    forwardTo: z.string().regex(E164, 'an E.164 number such as +14155550100').optional(),
    dialTimeoutSeconds: z.number().int().min(5).max(600).default(20),
    language: z.string().min(2).optional().describe('Language of spoken prompts, e.g. en-US'),
    closedMessage: z
      .string()
      .min(1)
      .default('Sorry, we are closed right now. We will text you shortly.')
      .describe('Said when voicemail is off and nobody answers'),
    voicemail: voicemail.prefault({}),
  })
  .strict()
  .superRefine((v, ctx) => {
    const m = v.voicemail;
    if (m.enabled && m.transcribe && m.maxLengthSeconds > 120) {
      ctx.addIssue({
        code: 'custom',
        path: ['voicemail', 'maxLengthSeconds'],
        message: 'Twilio transcribes recordings of at most 120 seconds; lower it or set transcribe: false',
      });
    }
  });

const base = {
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'an account SID: AC followed by 32 hex digits'),
  authToken: z
    .string()
    .min(1)
    .describe('Signs webhooks and authenticates REST calls; write it as an environment reference'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('Send REST calls here instead of https://api.twilio.com (a regional edge, or a test fake)'),
  webhookPath: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'a path such as /twilio, without a trailing slash')
    .default('/twilio'),
  numbers: z.array(numberEntry).min(1),
  maxSegments: z.number().int().min(1).max(10).default(3).describe('SMS segments one message may use'),
  maxMessages: z
    .number()
    .int()
    .min(1)
    .max(10)
    .default(3)
    .describe('Messages one long reply may be split into; past that it is shortened with an ellipsis'),
  statusCallback: z.boolean().default(true).describe('Ask Twilio for delivery reports'),
  requestTimeoutMs: z.number().int().min(1000).max(120_000).default(15_000),
};

export const smsSettings = z
  .object({ ...base, voice: voice.optional().describe('Incoming calls: forward in hours, voicemail after') })
  .strict()
  .superRefine((s, ctx) => checkNumbers('sms', s.numbers, ctx));

export const whatsappSettings = z
  .object({
    ...base,
    windowHours: z
      .number()
      .positive()
      .max(24)
      .default(24)
      .describe('Free-form replies are allowed this long after the customer’s last message'),
  })
  .strict()
  .superRefine((s, ctx) => checkNumbers('whatsapp', s.numbers, ctx));

export type SmsSettings = z.infer<typeof smsSettings>;
export type WhatsappSettings = z.infer<typeof whatsappSettings>;
export type NumberSettings = z.infer<typeof numberEntry>;
/** What the shared code reads; the channel-specific extras are optional here. */
export type TwilioSettings = z.infer<typeof smsSettings> & { windowHours?: number };

function checkNumbers(channel: TwilioChannel, numbers: NumberSettings[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  numbers.forEach((n, i) => {
    const path = ['numbers', i, 'number'];
    const bare = stripWhatsapp(n.number);
    if (channel === 'whatsapp' && n.kind !== 'whatsapp') {
      ctx.addIssue({ code: 'custom', path: ['numbers', i, 'kind'], message: 'WhatsApp numbers need kind: whatsapp' });
    }
    if (channel === 'sms' && (n.kind === 'whatsapp' || bare !== n.number)) {
      ctx.addIssue({ code: 'custom', path, message: 'WhatsApp senders belong in the whatsapp channel block' });
    }
    const valid = n.kind === 'shortcode' ? SHORT_CODE.test(bare) : isE164(bare);
    if (!valid) {
      const want = n.kind === 'shortcode' ? 'a short code of 3 to 8 digits' : 'an E.164 number such as +14155550100';
      ctx.addIssue({ code: 'custom', path, message: `${JSON.stringify(n.number)} is not ${want}` });
    }
    if (seen.has(bare)) ctx.addIssue({ code: 'custom', path, message: `${bare} is listed twice` });
    seen.add(bare);
  });
}
