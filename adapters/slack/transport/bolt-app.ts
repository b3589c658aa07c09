import { App, type Logger as BoltLogger, LogLevel, type Receiver } from '@slack/bolt';
import type { Logger, RouteRegistry } from '../../../src/channel/index.ts';
import type { SlackSettings } from '../settings.ts';
import { RouteReceiver } from './receiver.ts';
import { SocketReceiver } from './socket-receiver.ts';

/** Who we are in the workspace, from `auth.test`: our own posts are never taken as someone writing. */
export interface BotIdentity {
  botUserId: string;
  botId: string;
  teamId: string | null;
}

/**
 * Bolt's App on the transport the settings choose: our HTTP route registry
 * (Events API and interactivity on the router's own port), or Socket Mode for
 * businesses without a public URL; both acknowledge an event once it is handled. Bolt's own client, used for the answers of
 * listeners (ephemeral refusals, modals), talks to the configured API URL.
 */
export function createBoltApp(
  settings: SlackSettings,
  o: {
    routes: RouteRegistry;
    log: Logger;
    bot: BotIdentity | null;
    keepUnreadable: (reason: string, payload: Buffer) => Promise<void>;
  },
): { app: App; receiver: Receiver } {
  const logger = boltLogger(o.log);
  const receiver: Receiver =
    settings.transport === 'socket'
      ? new SocketReceiver({
          appToken: settings.appToken ?? '',
          ...(settings.apiBaseUrl ? { apiUrl: settings.apiBaseUrl } : {}),
          logger,
          log: o.log,
        })
      : new RouteReceiver({
          signingSecret: settings.signingSecret,
          path: settings.eventsPath,
          routes: o.routes,
          log: o.log,
          keepUnreadable: o.keepUnreadable,
        });
  const app = new App({
    token: settings.botToken,
    receiver,
    logger,
    ignoreSelf: true,
    // Known from our own auth.test: Bolt need not call it again; unknown, it calls it on the first event.
    ...(o.bot ? { botId: o.bot.botId, botUserId: o.bot.botUserId } : { tokenVerificationEnabled: false }),
    clientOptions: settings.apiBaseUrl ? { slackApiUrl: settings.apiBaseUrl } : {},
  });
  return { app, receiver };
}

/** Bolt's logger interface over our pino logger. */
function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ part: 'bolt' });
  let level = LogLevel.INFO;
  const line = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
  return {
    debug: (...m: unknown[]) => child.debug(line(m)),
    info: (...m: unknown[]) => child.info(line(m)),
    warn: (...m: unknown[]) => child.warn(line(m)),
    error: (...m: unknown[]) => child.error(line(m)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
