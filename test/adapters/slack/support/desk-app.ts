import { slackDefinition } from '../../../../adapters/slack/definition.ts';
import { slackSettings } from '../../../../adapters/slack/settings.ts';
import { webchatDefinition } from '../../../../adapters/webchat/definition.ts';
import { webchatSettings } from '../../../../adapters/webchat/settings.ts';
import type { App } from '../../../../src/app.ts';
import { routerFile } from '../../../../src/settings/schema.ts';
import type { ChannelSettings, Settings } from '../../../../src/settings/types.ts';
import { FakeSlackApi } from '../../../fakes/slack-api.ts';
import { startLocalApp } from '../../../support/local-app.ts';
import { testSettings } from '../../../support/settings.ts';
import { type SlackSender, slackSender } from './slack-requests.ts';

export const SECRET = 'test-signing-secret';
export const TOKEN = 'xoxb-test-token';
export const DESK = 'CDESK0001';
export const AGENT = 'UAGENT001';
export const STRANGER = 'USTRANGE1';
/** The app-level token Socket Mode connects with. */
export const APP_TOKEN = 'xapp-1-A0000001-1-test';

export interface DeskApp {
  app: App;
  slack: FakeSlackApi;
  send: SlackSender;
  stop(): Promise<void>;
}

/**
 * The whole router in-process with the web chat and Slack, against the fake
 * Slack Web API: customers write in the web chat, agents answer from the desk.
 */
export async function startDeskApp(
  o: {
    intervalMs?: number;
    /** The limiter's spacing of Slack posts; null: the adapter's own (Slack's permitted rate). */
    minTimeMs?: number | null;
    slack?: Record<string, unknown>;
    backoffBase?: string;
    /** Replaces parts of the test business (intents, flows). */
    settings?: Partial<Settings>;
    /** Desk channels beside DESK that the fake Slack knows. */
    channels?: string[];
    /** Spacing of the replies to one web chat visitor (none by default), to queue replies behind a pace. */
    webchatMinTimeMs?: number;
    /** More of router.yaml (attachments' test hosts …). */
    router?: Record<string, unknown>;
    /** The bot token's scopes at the fake Slack (default: the app manifest's). */
    scopes?: string[];
  } = {},
): Promise<DeskApp> {
  const slack = await FakeSlackApi.start({
    token: TOKEN,
    appToken: APP_TOKEN,
    intervalMs: o.intervalMs ?? 200,
    channels: [DESK, ...(o.channels ?? [])],
    ...(o.scopes ? { scopes: o.scopes } : {}),
  });
  const settings = slackSettings.parse({
    botToken: TOKEN,
    signingSecret: SECRET,
    apiBaseUrl: slack.apiUrl,
    desk: {
      defaultChannel: DESK,
      agents: [{ slackUser: AGENT, agent: 'maya', name: 'Maya' }],
      canned: [{ id: 'thanks', title: 'Thanks for waiting', text: 'Thank you for your patience.' }],
    },
    ...o.slack,
  });
  const slackBlock: ChannelSettings = {
    enabled: true,
    ...(o.minTimeMs === null ? {} : { rateLimit: { minTimeMs: o.minTimeMs ?? 250 } }),
    settings,
  };
  const local = await startLocalApp('tp-slack-', {
    settings: testSettings({
      ...o.settings,
      router: routerFile.parse({ outbox: { backoffBase: o.backoffBase ?? '2s' }, ...o.router }),
      channels: {
        webchat: {
          enabled: true,
          ...(o.webchatMinTimeMs ? { rateLimit: { minTimeMs: o.webchatMinTimeMs } } : {}),
          settings: webchatSettings.parse({}),
        },
        slack: slackBlock,
      },
    }),
    adapters: { webchat: webchatDefinition, slack: slackDefinition },
  });
  const { app } = local;
  return {
    app,
    slack,
    send: slackSender(`${app.url}/slack/events`, SECRET, { slack }),
    async stop() {
      await local.stop();
      await slack.stop();
    },
  };
}

/** A web chat visitor writing one message; returns their token. */
export async function webchatSays(url: string, text: string, token?: string): Promise<string> {
  let t = token;
  if (!t) {
    const s = (await (await fetch(`${url}/webchat/session`, { method: 'POST' })).json()) as { token: string };
    t = s.token;
  }
  const res = await fetch(`${url}/webchat/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-visitor-token': t },
    body: JSON.stringify({ text, clientId: `c${Math.random().toString(36).slice(2, 10)}` }),
  });
  if (res.status >= 300) throw new Error(`web chat refused the message: ${res.status} ${await res.text()}`);
  return t;
}

/** What the visitor sees in the web chat. */
export async function webchatHistory(url: string, token: string): Promise<string[]> {
  const res = await fetch(`${url}/webchat/messages`, { headers: { 'x-visitor-token': token } });
  const body = (await res.json()) as { messages: Array<{ text: string }> };
  return body.messages.map((m) => m.text);
}
