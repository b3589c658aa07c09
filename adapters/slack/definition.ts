import type { AdapterDefinition } from '../../src/channel/index.ts';
import { createSlackAdapter } from './adapter.ts';
import { type SlackSettings, slackSettings } from './settings.ts';

/** Slack: the agent desk (threads with header cards) and, when enabled, a customer channel. */
export const slackDefinition: AdapterDefinition<SlackSettings> = {
  channel: 'slack',
  settings: slackSettings,
  create: (settings, deps) => createSlackAdapter(settings, deps),
};
