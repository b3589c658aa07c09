import { z } from 'zod';

/** Slack ids: channels (C…, G…, D…) and users (U…, W…). */
const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD');
const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U0123ABCD');

const deskRoute = z
  .object({
    channel: z.string().min(1).optional().describe('The customer channel (email, sms, webchat …)'),
    category: z.string().min(1).optional(),
    team: z.string().min(1).optional().describe('The team a flow handed off to'),
    vip: z.boolean().optional().describe('Only VIP customers (true) or only the others (false)'),
    deskChannel: channelId.describe('Where these conversations get their threads'),
  })
  .strict();

const agent = z
  .object({
    slackUser: userId,
    agent: z.string().min(1).describe('The agent id recorded on replies and assignments'),
    name: z.string().min(1).optional().describe('Name used to sign replies; the agent id otherwise'),
  })
  .strict();

const canned = z
  .object({ id: z.string().regex(/^[a-z0-9_-]{1,64}$/), title: z.string().min(1).max(75), text: z.string().min(1) })
  .strict();

const desk = z
  .object({
    when: z
      .array(z.enum(['all', 'handoff', 'complaint', 'sla', 'vip']))
      .min(1)
      .default(['handoff', 'complaint', 'sla'])
      .describe(
        'Which conversations get a thread: every one, or those handed off, complaints, SLA warnings, VIP customers',
      ),
    complaintCategories: z
      .array(z.string().min(1))
      .default(['complaint'])
      .describe('Categories or intents that count as complaints'),
    defaultChannel: channelId.describe('Threads go here when no route matches'),
    routes: z.array(deskRoute).default([]).describe('First match wins'),
    agents: z.array(agent).default([]).describe('Only these Slack users may act on conversations'),
    signature: z
      .string()
      .default('\n\n— {agent}')
      .describe('Appended to an agent’s reply to the customer; {agent} is the agent’s name. Empty: unsigned'),
    canned: z.array(canned).max(100).default([]).describe('Canned responses agents can pick from, searchable by title'),
    escalation: z
      .array(z.string().min(1))
      .default([])
      .describe('Agent ids mentioned, after the assignee, when an SLA is breached'),
    vipEscalation: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Senior staff (agent ids) also mentioned when a VIP customer’s SLA is breached or their conversation escalated',
      ),
    backlog: z.number().int().min(0).max(100).default(20).describe('Earlier messages mirrored when a thread opens'),
    csatOnResolve: z
      .string()
      .min(1)
      .optional()
      .describe('A flow id (e.g. csat) sent to the customer when an agent resolves from the desk'),
  })
  .strict()
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    d.agents.forEach((a, i) => {
      if (seen.has(a.slackUser))
        ctx.addIssue({ code: 'custom', path: ['agents', i, 'slackUser'], message: `${a.slackUser} is listed twice` });
      seen.add(a.slackUser);
    });
    d.routes.forEach((r, i) => {
      if (!r.channel && !r.category && !r.team && r.vip === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i],
          message: 'a route needs at least one of channel, category, team, vip',
        });
      }
    });
  });

export const slackSettings = z
  .object({
    botToken: z.string().regex(/^xoxb-/, 'a bot token (xoxb-…); write it as an environment reference'),
    signingSecret: z.string().min(8).describe('Verifies requests from Slack; write it as an environment reference'),
    transport: z
      .enum(['http', 'socket'])
      .default('http')
      .describe('http: Slack calls the events path on the public URL; socket: Socket Mode, no public URL needed'),
    appToken: z
      .string()
      .regex(/^xapp-/, 'an app-level token (xapp-…)')
      .optional()
      .describe('Needed for Socket Mode'),
    apiBaseUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('Web API base URL, ending in /api/ (Enterprise Grid, a test fake); https://slack.com/api/ otherwise'),
    eventsPath: z
      .string()
      .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'a path such as /slack/events')
      .default('/slack/events')
      .describe('Request URL for events, interactivity and shortcuts'),
    customers: z
      .object({
        enabled: z.boolean().default(false).describe('Serve customers who write to the bot in Slack'),
        publicChannels: z.boolean().default(true).describe('Also answer messages and mentions in public channels'),
      })
      .strict()
      .prefault({}),
    desk: desk.optional().describe('The agent desk: one Slack thread per conversation that needs a person'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.transport === 'socket' && !s.appToken) {
      ctx.addIssue({ code: 'custom', path: ['appToken'], message: 'Socket Mode needs an app-level token (xapp-…)' });
    }
  })
  // Every channel names its provider's base URL `apiBaseUrl`.
  .meta({ 'x-renamed': { apiUrl: 'apiBaseUrl' } });

export type SlackSettings = z.infer<typeof slackSettings>;
export type DeskSettings = z.infer<typeof desk>;
export type DeskAgent = z.infer<typeof agent>;
