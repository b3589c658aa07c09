import type { App, Receiver } from '@slack/bolt';
import type { ChannelAdapter, ChannelHost, Clock, Logger } from '../../src/channel/index.ts';
import { createSendClient, type WebClient } from './api/client.ts';
import { CHOICE_ACTION, choiceEnvelope } from './customer/choices.ts';
import { isWrittenByPerson, type SlackMessageEvent, toEnvelope } from './customer/envelope.ts';
import { reconcileReply } from './customer/reconcile.ts';
import { MAX_TEXT, sendToCustomer } from './customer/send.ts';
import { destinationOf, startThread } from './customer/thread.ts';
import { createAgents } from './desk/agents.ts';
import { startDesk } from './desk/start.ts';
import { slackMediaSource } from './media.ts';
import { registerQaListeners } from './qa/listeners.ts';
import type { SlackSettings } from './settings.ts';
import { type BotIdentity, createBoltApp } from './transport/bolt-app.ts';

/** The Slack adapter as tests see it: the Bolt app and receiver it built, and its desk once started. */
export interface SlackAdapter extends ChannelAdapter {
  readonly bolt: { app: App; receiver: Receiver } | null;
  /** Resolves once every desk post queued so far was made (tests, benchmarks). */
  deskIdle(): Promise<void>;
}

/**
 * Slack as a customer channel (DMs to the bot are private, channel messages
 * and mentions public) and as the agent desk (one thread per conversation that
 * needs a person). One Bolt app serves both, over our HTTP server or Socket Mode.
 */
export function createSlackAdapter(settings: SlackSettings, deps: { log: Logger; clock: Clock }): SlackAdapter {
  const { log, clock } = deps;
  const client: WebClient = createSendClient(settings);
  let bolt: { app: App; receiver: Receiver } | null = null;
  let desk: Awaited<ReturnType<typeof startDesk>> = null;

  async function whoAmI(): Promise<BotIdentity | null> {
    try {
      const r = await client.auth.test();
      if (r.user_id && r.bot_id) return { botUserId: r.user_id, botId: r.bot_id, teamId: r.team_id ?? null };
    } catch (err) {
      log.error({ err }, 'Slack auth.test failed: check the bot token; Bolt will try again on the first event');
    }
    return null;
  }

  async function onCustomerMessage(host: ChannelHost, e: SlackMessageEvent, body: unknown): Promise<void> {
    if (!settings.customers.enabled || !isWrittenByPerson(e)) return;
    const dm = e.channel_type === 'im' || e.channel?.startsWith('D');
    if (!dm && !settings.customers.publicChannels) return;
    const envelope = toEnvelope(e, body);
    if (envelope) await host.ingest(envelope);
  }

  return {
    channel: 'slack',
    capabilities: {
      threads: true,
      privateReply: false,
      attachments: false,
      // A customer's choice question goes out with buttons (customer/choices.ts).
      richParts: true,
      maxTextLength: MAX_TEXT,
      // Slack truncates a message's text past 40,000 characters.
      maxInboundText: 40_000,
      idempotentSend: false,
    },
    // Slack allows about one message a second per channel. Spacing posts exactly 1 s apart lets
    // network jitter bring two within the second (a 429 then costs a whole second): keep a 5% margin.
    rateLimit: { minTimeMs: 1_050, maxConcurrent: 1 },
    get bolt() {
      return bolt;
    },
    // A customer's shared file: url_private, to the bot token only.
    mediaSource: (a) => (a.url ? slackMediaSource(a.url, settings.botToken) : null),

    async checkCredentials() {
      const r = await client.auth.test().catch((err: Error) => {
        throw new Error(
          `Slack auth.test refused the bot token (${err.message}): set channels.slack.botToken to the app's Bot User OAuth Token (xoxb-…)`,
        );
      });
      return `bot ${r.user ?? r.user_id ?? '?'} in ${r.team ?? r.team_id ?? '?'}`;
    },

    async start(host) {
      const bot = await whoAmI();
      bolt = createBoltApp(settings, {
        routes: host.routes,
        log,
        bot,
        keepUnreadable: (reason, payload) => host.keepUnreadable(reason, payload),
      });
      const { app } = bolt;
      desk = await startDesk({ app, host, settings, client, clock, log });
      const route = async (e: SlackMessageEvent, body: unknown) => {
        if (bot && (e.bot_id === bot.botId || e.user === bot.botUserId)) return;
        if (desk && (await desk.owns(e))) return desk.onThreadMessage(e);
        await onCustomerMessage(host, e, body);
      };
      app.event('message', async ({ event, body }) => route(event as unknown as SlackMessageEvent, body));
      app.event('app_mention', async ({ event, body }) => route(event as unknown as SlackMessageEvent, body));
      // A customer's click on a choice question's button: stored as their answer, then acknowledged.
      app.action(CHOICE_ACTION, async ({ ack, body, action }) => {
        const envelope = settings.customers.enabled ? choiceEnvelope(body, action as { value?: unknown }) : null;
        if (envelope) await host.ingest(envelope);
        await ack();
      });
      // QA samples posted to a staff channel are scored from their Score button by the desk's agents.
      const qa = host.desk?.qa;
      if (qa) registerQaListeners({ app, qa, agents: settings.desk ? createAgents(settings.desk) : null, log });
      app.error(async (err) => {
        log.error({ err }, 'a Slack listener failed');
        throw err;
      });
      await app.start();
      await desk?.catchUp();
    },

    async stop() {
      desk?.stop();
      desk = null;
      await bolt?.app.stop();
    },

    deskIdle: async () => desk?.idle(),
    destination: destinationOf,
    startThread,
    send: (message) => sendToCustomer(client, message),
    reconcile: (message, attempt) => reconcileReply(client, message, attempt),
  };
}
