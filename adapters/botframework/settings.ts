import { z } from 'zod';
import { DEFAULT_SERVICE_URLS, parsePattern } from './service-urls.ts';

export const botframeworkSettings = z
  .object({
    appId: z
      .string()
      .default('')
      .describe('The bot’s Microsoft App ID; empty turns authentication off (local Emulator use only)'),
    appPassword: z.string().optional().describe('The app’s client secret; an environment reference'),
    appType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    tenantId: z.string().optional().describe('Needed for SingleTenant and UserAssignedMSI apps'),
    path: z
      .string()
      .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'a path such as /api/messages, without a trailing slash')
      .default('/api/messages'),
    serviceUrls: z
      .array(
        z
          .string()
          .refine((p) => parsePattern(p) !== null, 'an http(s) URL prefix, the host optionally starting with *.'),
      )
      .min(1)
      .default(DEFAULT_SERVICE_URLS)
      .describe(
        'Service URLs replies may go to (Teams, Web Chat, Direct Line); add http://localhost:<port>/ for the Emulator',
      ),
    openIdMetadataUrl: z
      .url()
      .optional()
      .describe('Where the keys that sign incoming tokens are published (Microsoft’s by default; a test fake)'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.appId && s.appType !== 'UserAssignedMSI' && !s.appPassword) {
      ctx.addIssue({
        code: 'custom',
        path: ['appPassword'],
        message: 'an app id needs its app password (client secret)',
      });
    }
    if (s.appId && s.appType !== 'MultiTenant' && !s.tenantId) {
      ctx.addIssue({ code: 'custom', path: ['tenantId'], message: `a ${s.appType} app needs its tenant id` });
    }
  });

export type BotframeworkSettings = z.infer<typeof botframeworkSettings>;
