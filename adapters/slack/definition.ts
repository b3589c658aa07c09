import type { AdapterDefinition } from '../../src/channel/index.ts';
import { type SlackSettings, slackSettings } from './settings.ts';

/** Slack: the agent desk (threads with header cards) and, when enabled, a customer channel. */
export const slackDefinition: AdapterDefinition<SlackSettings> = {
  channel: 'slack',
  settings: slackSettings,
  create: async (settings, deps) => {
    const { createSlackAdapter } = await import('./adapter.ts');
    return createSlackAdapter(settings, deps);
  },
  crossCheck: (settings, facts) =>
    (settings.desk?.routes ?? []).flatMap((route, i) => {
      const at = ['desk', 'routes', i];
      const problems = [];
      if (route.category && !facts.categories.has(route.category))
        problems.push({
          path: [...at, 'category'],
          message: `no intent or flow sets the category \`${route.category}\`: this route never matches`,
          fix: `use one of ${[...facts.categories].sort().join(', ')}, or set \`category: ${route.category}\` in a flow or intent`,
        });
      if (route.team && !facts.teams.has(route.team))
        problems.push({
          path: [...at, 'team'],
          message: `no flow hands off to the team \`${route.team}\`: this route never matches`,
          fix: `use one of ${[...facts.teams].sort().join(', ') || '(no teams)'}, or name it in a flow's handoff`,
        });
      if (route.channel && !facts.enabledChannels.has(route.channel))
        problems.push({
          path: [...at, 'channel'],
          message: `the channel \`${route.channel}\` is not enabled: this route never matches`,
          fix: `enable channels.${route.channel}, or remove the route`,
        });
      return problems;
    }),
};
