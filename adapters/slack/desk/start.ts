import type { App } from '@slack/bolt';
import type { ChannelHost, Clock, Logger } from '../../../src/channel/index.ts';
import type { WebClient } from '../api/client.ts';
import type { SlackMessageEvent } from '../customer/envelope.ts';
import type { SlackSettings } from '../settings.ts';
import { createAgents } from './agents.ts';
import { registerCrisisListeners } from './crisis.ts';
import { registerDeskListeners } from './listeners.ts';
import { createDeskSync } from './sync.ts';
import { createThreadStore } from './threads.ts';

/** Starts the agent desk when it is configured and the core offers one; null otherwise. */
export async function startDesk(o: {
  app: App;
  host: ChannelHost;
  settings: SlackSettings;
  client: WebClient;
  clock: Clock;
  log: Logger;
}) {
  const settings = o.settings.desk;
  if (!settings) return null;
  const desk = o.host.desk;
  const log = o.log.child({ part: 'desk' });
  if (!desk) {
    log.warn('channels.slack.desk is set, but this router offers no agent desk to the Slack channel');
    return null;
  }
  const agents = createAgents(settings);
  const threads = createThreadStore(o.host.state);
  const files = o.host.files;
  const sync = createDeskSync({
    desk,
    settings,
    agents,
    threads,
    client: o.client,
    clock: o.clock,
    log,
    ...(files ? { files } : {}),
  });
  const { onThreadMessage } = registerDeskListeners({
    app: o.app,
    desk,
    settings,
    agents,
    threads,
    sync,
    clock: o.clock,
    log,
    // A file an agent shares in a thread is fetched with the bot token and kept before it is sent on.
    ...(o.host.files ? { files: o.host.files } : {}),
    botToken: o.settings.botToken,
  });
  registerCrisisListeners({ app: o.app, desk, agents, deskChannel: settings.defaultChannel, log });
  if (settings.csatOnResolve && !desk.flows.some((f) => f.id === settings.csatOnResolve))
    log.warn(
      { flow: settings.csatOnResolve },
      'channels.slack.desk.csatOnResolve names no flow: resolving from the desk will be refused until it does',
    );
  const unsubscribe = desk.subscribe((n) => {
    if (n.retry) sync.retried(n.conversationId, n.retry);
    else if (n.fileRetry) sync.fileRetried(n.conversationId, n.fileRetry);
    else sync.nudge(n.conversationId);
  });
  const deskChannels = new Set([settings.defaultChannel, ...settings.routes.map((r) => r.deskChannel)]);

  return {
    onThreadMessage,
    /** Messages in desk channels (or in a thread of one since removed from the config) are the desk's. */
    async owns(e: SlackMessageEvent): Promise<boolean> {
      if (!e.channel) return false;
      if (deskChannels.has(e.channel)) return true;
      return !!e.thread_ts && !!(await threads.conversationOf(e.channel, e.thread_ts));
    },
    catchUp: () => sync.catchUp(),
    idle: () => sync.idle(),
    stop() {
      unsubscribe();
      sync.stop();
    },
  };
}
