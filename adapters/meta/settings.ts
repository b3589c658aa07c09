import { z } from 'zod';

/** The two channels this adapter serves over the same Meta code. */
export type MetaChannel = 'facebook' | 'instagram';

const graphId = (what: string) =>
  z.string().regex(/^\d{1,30}$/, `the ${what} as digits, in quotes (YAML would round a bare number this long)`);

const path = z.string().regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'a path such as /meta/facebook, without a trailing slash');

const base = {
  appSecret: z.string().min(1).describe('The Meta app secret: signs webhooks (X-Hub-Signature-256)'),
  verifyToken: z.string().min(1).describe('Any secret string, entered again in the app’s webhook settings'),
  accessToken: z
    .string()
    .min(1)
    .describe('Page access token (facebook) or Instagram access token; an environment reference'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://graph.facebook.com')
    .describe('Graph API base URL (graph.instagram.com for Instagram Login tokens, or a test fake)'),
  apiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/, 'a Graph API version such as v21.0')
    .default('v21.0'),
  humanAgentTag: z
    .boolean()
    .default(true)
    .describe('Agents may answer up to 7 days after the customer’s last message (needs the Human Agent permission)'),
  requestTimeoutMs: z.number().int().min(1000).max(120_000).default(15_000),
};

/** Every channel names its provider's base URL `apiBaseUrl`. */
const RENAMED = { graphApiUrl: 'apiBaseUrl' };

export const facebookSettings = z
  .object({
    ...base,
    pageId: graphId('Facebook Page id'),
    webhookPath: path.default('/meta/facebook'),
  })
  .strict()
  .meta({ 'x-renamed': RENAMED });

export const instagramSettings = z
  .object({
    ...base,
    accountId: graphId('Instagram professional account id'),
    webhookPath: path.default('/meta/instagram'),
  })
  .strict()
  .meta({ 'x-renamed': RENAMED });

export type FacebookSettings = z.infer<typeof facebookSettings>;
export type InstagramSettings = z.infer<typeof instagramSettings>;

/** What the shared code reads: `ours` is the Page id or the Instagram account id. */
export type MetaSettings = z.infer<z.ZodObject<typeof base>> & { ours: string; webhookPath: string };

export const fromFacebook = (s: FacebookSettings): MetaSettings => ({ ...s, ours: s.pageId });
export const fromInstagram = (s: InstagramSettings): MetaSettings => ({ ...s, ours: s.accountId });
