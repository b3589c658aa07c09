import type { App } from '@slack/bolt';
import {
  type Attachment,
  type AttachmentFiles,
  type Clock,
  type DeskHost,
  type Logger,
  type Priority,
  SNOOZE_PRESETS,
  type SnoozePreset,
  snoozeUntil,
  TouchpointError,
} from '../../../src/channel/index.ts';
import { isWrittenByPerson, type SlackMessageEvent } from '../customer/envelope.ts';
import { slackMediaSource } from '../media.ts';
import type { DeskAgent, DeskSettings } from '../settings.ts';
import { type Agents, REFUSAL } from './agents.ts';
import { registerAssistListeners, type Where } from './assist.ts';
import { registerBugListeners } from './bug.ts';
import { ACTION, SNOOZE_PICK } from './header.ts';
import {
  CANNED_INPUT,
  cannedModal,
  FLOW_INPUT,
  flowModal,
  inputValue,
  NOTE_INPUT,
  noteModal,
  resolveModal,
  SNOOZE_INPUT,
  snoozeModal,
  VIEW,
} from './modals.ts';
import { registerResolveModal } from './resolve.ts';
import { shortcutTarget } from './shortcut.ts';
import type { DeskSync } from './sync.ts';
import type { DeskThread, ThreadStore } from './threads.ts';

export interface DeskListenerDeps {
  app: App;
  desk: DeskHost;
  settings: DeskSettings;
  agents: Agents;
  threads: ThreadStore;
  sync: DeskSync;
  clock: Clock;
  log: Logger;
  files?: AttachmentFiles;
  botToken: string;
}

const PRIORITIES: readonly string[] = ['low', 'normal', 'high', 'urgent'] satisfies Priority[];
const isPreset = (v: string | undefined): v is SnoozePreset => SNOOZE_PRESETS.includes(v as SnoozePreset);
const selected = (a: Record<string, unknown>) => (a.selected_option as { value?: string } | undefined)?.value;

/** The message shortcut that opens the internal-note modal for the thread it is used in. */
export const NOTE_SHORTCUT = 'tp_note';

/** What an agent acting in a thread the conversation moved away from is told. */
const movedText = (t: DeskThread, what: string) =>
  `${what}: this conversation moved to <#${t.channel}>${t.permalink ? ` (<${t.permalink}|its thread>)` : ''}. Continue there.`;

/** Slack escapes &, < and > in message text; the customer gets the plain characters. */
const plain = (s: string) => s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

/**
 * What agents do in the desk: reply in a thread (sent to the customer,
 * signed), and the header card's controls, modals and the note shortcut.
 * Only mapped agents act; anyone else gets an ephemeral refusal.
 */
export function registerDeskListeners(d: DeskListenerDeps): {
  onThreadMessage: (e: SlackMessageEvent) => Promise<void>;
} {
  const { app, desk, agents, threads, sync } = d;

  async function refuse(w: Where, text = REFUSAL): Promise<void> {
    if (!w.channel || !w.user) return;
    try {
      await app.client.chat.postEphemeral({
        channel: w.channel,
        user: w.user,
        text,
        ...(w.threadTs ? { thread_ts: w.threadTs } : {}),
      });
    } catch (err) {
      d.log.warn({ err, user: w.user }, 'could not post an ephemeral refusal');
    }
  }

  /** The acting agent, or null after refusing the user. */
  async function agentOr(w: Where): Promise<DeskAgent | null> {
    const agent = agents.bySlackUser(w.user);
    if (!agent) await refuse(w);
    return agent;
  }

  /** Runs an agent action; a refusal from the core (no such conversation, empty text) goes back to the agent. */
  async function act(conversationId: string, w: Where, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof TouchpointError)) throw err;
      await refuse(w, `That did not work: ${err.message}`);
    }
    sync.nudge(conversationId);
  }

  async function onThreadMessage(e: SlackMessageEvent): Promise<void> {
    if (!isWrittenByPerson(e) || !e.thread_ts || e.thread_ts === e.ts || !e.channel || !e.ts) return;
    const { channel, ts } = e;
    const conversationId = await threads.conversationOf(channel, e.thread_ts);
    if (!conversationId) return;
    const w = { channel, user: e.user, threadTs: e.thread_ts } as Where;
    const agent = await agentOr(w);
    if (!agent) return;
    if (await threads.replyOf(channel, ts)) return;
    const moved = await threads.movedFrom(channel, e.thread_ts);
    if (moved) return refuse(w, movedText(moved, 'Not sent to the customer'));
    // In the conversation's turn: a redelivery waits, then finds the reply taken; the mirror skips it.
    await sync.serial(conversationId, async () => {
      if (await threads.replyOf(channel, ts)) return;
      const text = agents.signed(agent, plain(e.text ?? '').trim());
      try {
        const attachments = await sharedFiles(e);
        const message = await desk.actions.reply(conversationId, {
          text,
          agent: agent.agent,
          ...(attachments.length > 0 ? { attachments } : {}),
        });
        await threads.markFromSlack(message.id);
        await threads.recordReply(channel, ts, message.id);
      } catch (err) {
        if (!(err instanceof TouchpointError)) throw err;
        await refuse(w, `Not sent to the customer: ${err.message}`);
      }
    });
    sync.nudge(conversationId);
  }

  /** The files an agent shared with a thread reply, fetched from Slack and kept; none without a blob store. */
  async function sharedFiles(e: SlackMessageEvent): Promise<Attachment[]> {
    const shared = (Array.isArray(e.files) ? e.files : []).filter((f) => typeof f?.url_private === 'string');
    if (shared.length === 0) return [];
    const files = d.files;
    if (!files) throw new TouchpointError('media_refused', 'files cannot be kept by this router');
    return Promise.all(
      shared.map((f) => files.fetch(slackMediaSource(f.url_private as string, d.botToken), f.name ?? undefined)),
    );
  }

  /** The conversation a header control belongs to: by the header's thread, else the button's value. */
  async function conversationOfAction(
    body: Record<string, unknown>,
    value: string | undefined,
  ): Promise<string | null> {
    const c = body.container as { channel_id?: string; message_ts?: string } | undefined;
    if (c?.channel_id && c.message_ts) {
      const id = await threads.conversationOf(c.channel_id, c.message_ts);
      if (id) return id;
    }
    return value ?? null;
  }

  const whereOf = (body: Record<string, unknown>): Where => {
    const channel =
      (body.channel as { id?: string } | undefined)?.id ??
      (body.container as { channel_id?: string } | undefined)?.channel_id;
    const user = (body.user as { id?: string } | undefined)?.id;
    const threadTs = (body.container as { message_ts?: string } | undefined)?.message_ts;
    return { ...(channel ? { channel } : {}), ...(user ? { user } : {}), ...(threadTs ? { threadTs } : {}) };
  };

  const control = (
    actionId: string,
    run: (
      conversationId: string,
      agent: DeskAgent,
      w: Where,
      body: Record<string, unknown>,
      action: Record<string, unknown>,
    ) => Promise<void>,
  ) => {
    app.action(actionId, async ({ ack, body, action }) => {
      await ack();
      const b = body as unknown as Record<string, unknown>;
      const a = action as unknown as Record<string, unknown>;
      const w = whereOf(b);
      const agent = await agentOr(w);
      if (!agent) return;
      const card = b.container as { channel_id?: string; message_ts?: string } | undefined;
      const moved =
        card?.channel_id && card.message_ts ? await threads.movedFrom(card.channel_id, card.message_ts) : null;
      if (moved) return refuse(w, movedText(moved, 'Nothing was done'));
      const conversationId = await conversationOfAction(b, typeof a.value === 'string' ? a.value : undefined);
      if (!conversationId) return refuse(w, 'This card belongs to no conversation we know.');
      await run(conversationId, agent, w, b, a);
    });
  };

  control(ACTION.assignMe, (id, agent, w) => act(id, w, () => desk.actions.assign(id, agent.agent, agent.agent)));
  control(ACTION.assign, async (id, agent, w, _b, a) => {
    const target = agents.bySlackUser(typeof a.selected_user === 'string' ? a.selected_user : undefined);
    if (!target) return refuse(w, 'That person is not a desk agent: only agents in the configuration can be assigned.');
    await act(id, w, () => desk.actions.assign(id, target.agent, agent.agent));
  });
  const survey = d.settings.csatOnResolve ? { survey: d.settings.csatOnResolve } : undefined;
  control(ACTION.resolve, async (id, agent, w, b) => {
    if (desk.dispositions.length === 0) return act(id, w, () => desk.actions.resolve(id, agent.agent, survey));
    await app.client.views.open({
      trigger_id: String(b.trigger_id),
      view: resolveModal(id, desk.dispositions) as never,
    });
  });
  registerResolveModal({ app, desk, agents, survey, nudge: (id) => sync.nudge(id) });
  control(ACTION.reopen, (id, agent, w) => act(id, w, () => desk.actions.reopen(id, agent.agent)));
  control(ACTION.private, (id, agent, w) => act(id, w, () => desk.moveToPrivate(id, agent.agent)));
  control(ACTION.note, async (id, _agent, _w, b) => {
    await app.client.views.open({ trigger_id: String(b.trigger_id), view: noteModal(id) as never });
  });
  control(ACTION.canned, async (id, _agent, _w, b) => {
    await app.client.views.open({ trigger_id: String(b.trigger_id), view: cannedModal(id, d.settings) as never });
  });

  control(ACTION.snooze, async (id, agent, w, b, a) => {
    const choice = selected(a);
    if (choice === SNOOZE_PICK) {
      const view = snoozeModal(id, d.clock.now() + 3_600_000);
      await app.client.views.open({ trigger_id: String(b.trigger_id), view: view as never });
      return;
    }
    if (!isPreset(choice)) return refuse(w, 'Pick one of the snooze options.');
    const channel = (await desk.reads.conversation(id))?.touchpoint.channel;
    const until = snoozeUntil(choice, d.clock.now(), desk.calendar, channel);
    await act(id, w, () => desk.actions.snooze(id, until, agent.agent));
  });
  control(ACTION.priority, async (id, agent, w, _b, a) => {
    const priority = selected(a);
    if (!priority || !PRIORITIES.includes(priority)) return refuse(w, 'Pick one of the priorities.');
    await act(id, w, () => desk.actions.setPriority(id, priority as Priority, agent.agent));
  });
  control(ACTION.escalate, (id, agent, w) => act(id, w, () => desk.actions.escalate(id, agent.agent)));
  control(ACTION.deescalate, (id, agent, w) => act(id, w, () => desk.deescalate(id, agent.agent)));
  const suggestionOf = (a: Record<string, unknown>) => (typeof a.value === 'string' ? a.value : '');
  control(ACTION.mergeAccept, (id, agent, w, _b, a) =>
    act(id, w, () => desk.contacts.accept(suggestionOf(a), agent.agent)),
  );
  control(ACTION.mergeReject, (id, agent, w, _b, a) =>
    act(id, w, () => desk.contacts.reject(suggestionOf(a), agent.agent)),
  );
  control(ACTION.flow, async (id, _agent, w, b) => {
    if (desk.flows.length === 0) return refuse(w, 'No flows are configured to start.');
    await app.client.views.open({ trigger_id: String(b.trigger_id), view: flowModal(id, desk.flows) as never });
  });

  app.shortcut(NOTE_SHORTCUT, async ({ ack, body }) => {
    await ack();
    const at = await shortcutTarget(body, { threads, agentOr, refuse });
    if (at) await app.client.views.open({ trigger_id: at.triggerId, view: noteModal(at.conversationId) as never });
  });

  app.view(VIEW.note, async ({ ack, body, view }) => {
    const agent = agents.bySlackUser(body.user.id);
    const text = inputValue(view, NOTE_INPUT.block, NOTE_INPUT.action)?.trim();
    if (!agent) return ack({ response_action: 'errors', errors: { [NOTE_INPUT.block]: REFUSAL } });
    if (!text) return ack({ response_action: 'errors', errors: { [NOTE_INPUT.block]: 'Write the note first.' } });
    await ack();
    const id = view.private_metadata;
    await act(id, { user: body.user.id }, () => desk.actions.reply(id, { text, agent: agent.agent, internal: true }));
  });

  app.view(VIEW.canned, async ({ ack, body, view }) => {
    const agent = agents.bySlackUser(body.user.id);
    const picked = d.settings.canned.find((c) => c.id === inputValue(view, CANNED_INPUT.block, CANNED_INPUT.action));
    if (!agent) return ack({ response_action: 'errors', errors: { [CANNED_INPUT.block]: REFUSAL } });
    if (!picked) return ack({ response_action: 'errors', errors: { [CANNED_INPUT.block]: 'Pick a response.' } });
    await ack();
    const id = view.private_metadata;
    await act(id, { user: body.user.id }, () =>
      desk.actions.reply(id, { text: agents.signed(agent, picked.text), agent: agent.agent }),
    );
  });

  app.view(VIEW.flow, async ({ ack, body, view }) => {
    const agent = agents.bySlackUser(body.user.id);
    const flowId = inputValue(view, FLOW_INPUT.block, FLOW_INPUT.action);
    if (!agent) return ack({ response_action: 'errors', errors: { [FLOW_INPUT.block]: REFUSAL } });
    if (!flowId || !desk.flows.some((f) => f.id === flowId))
      return ack({ response_action: 'errors', errors: { [FLOW_INPUT.block]: 'Pick a flow.' } });
    await ack();
    const id = view.private_metadata;
    await act(id, { user: body.user.id }, () => desk.actions.startFlow(id, flowId, agent.agent));
  });

  app.view(VIEW.snooze, async ({ ack, body, view }) => {
    const agent = agents.bySlackUser(body.user.id);
    const seconds = Number(inputValue(view, SNOOZE_INPUT.block, SNOOZE_INPUT.action));
    const until = seconds * 1000;
    if (!agent) return ack({ response_action: 'errors', errors: { [SNOOZE_INPUT.block]: REFUSAL } });
    if (!Number.isFinite(until) || until <= d.clock.now())
      return ack({ response_action: 'errors', errors: { [SNOOZE_INPUT.block]: 'Pick a time in the future.' } });
    await ack();
    const id = view.private_metadata;
    await act(id, { user: body.user.id }, () => desk.actions.snooze(id, until, agent.agent));
  });

  registerAssistListeners({ app, desk, agents, threads, refuse, agentOr, act, control });
  registerBugListeners({ app, desk, agents, threads, tell: refuse, agentOr, control, nudge: (id) => sync.nudge(id) });

  return { onThreadMessage };
}
