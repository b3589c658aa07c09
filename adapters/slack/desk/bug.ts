import type { App } from '@slack/bolt';
import { type DeskBug, type DeskHost, TouchpointError } from '../../../src/channel/index.ts';
import type { DeskAgent } from '../settings.ts';
import { type Agents, REFUSAL } from './agents.ts';
import type { Where } from './assist.ts';
import { ACTION, esc } from './header.ts';
import { inputValue } from './modals.ts';
import { shortcutTarget } from './shortcut.ts';
import type { ThreadStore } from './threads.ts';

export const BUG_VIEW = 'tp_bug_modal';
/** The message shortcut that opens the same modal for the thread it is used in (config/slack-manifest.json). */
export const BUG_SHORTCUT = 'tp_bug';
export const BUG_INPUT = {
  title: { block: 'tp_bug_title_block', action: 'tp_bug_title' },
  severity: { block: 'tp_bug_severity_block', action: 'tp_bug_severity' },
  steps: { block: 'tp_bug_steps_block', action: 'tp_bug_steps' },
  link: { block: 'tp_bug_link_block', action: 'tp_bug_link' },
} as const;
const SEVERITIES = ['low', 'normal', 'high', 'critical'] as const;
type Severity = (typeof SEVERITIES)[number];

const option = (value: string) => ({ text: { type: 'plain_text', text: value }, value });
const textInput = (
  key: keyof typeof BUG_INPUT,
  label: string,
  o: { multiline?: boolean; max: number; hint?: string; placeholder?: string },
) => ({
  type: 'input',
  block_id: BUG_INPUT[key].block,
  optional: true,
  label: { type: 'plain_text', text: label },
  ...(o.hint ? { hint: { type: 'plain_text', text: o.hint } } : {}),
  element: {
    type: 'plain_text_input',
    action_id: BUG_INPUT[key].action,
    max_length: o.max,
    ...(o.multiline ? { multiline: true } : {}),
    ...(o.placeholder ? { placeholder: { type: 'plain_text', text: o.placeholder } } : {}),
  },
});

/** "Log a bug": a new issue (title, severity, steps to reproduce), or a link to one the tracker has already. */
export function bugModal(conversationId: string) {
  return {
    type: 'modal' as const,
    callback_id: BUG_VIEW,
    private_metadata: conversationId,
    title: { type: 'plain_text' as const, text: 'Log a bug' },
    submit: { type: 'plain_text' as const, text: 'Log it' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      textInput('title', 'Title', { max: 250, placeholder: 'What goes wrong, in a line' }),
      {
        type: 'input',
        block_id: BUG_INPUT.severity.block,
        label: { type: 'plain_text', text: 'Severity' },
        element: {
          type: 'static_select',
          action_id: BUG_INPUT.severity.action,
          options: SEVERITIES.map(option),
          initial_option: option('normal'),
        },
      },
      textInput('steps', 'Steps to reproduce', { multiline: true, max: 3000 }),
      { type: 'divider' },
      textInput('link', 'Or link to an existing bug', {
        max: 500,
        placeholder: '42, or the issue URL',
        hint: 'Several conversations can share one bug: each customer is told when it is fixed.',
      }),
    ],
  };
}

/** What the agent asked for, or the field to point at with the reason. */
function request(
  view: unknown,
):
  | { kind: 'log'; title: string; severity: Severity; steps: string }
  | { kind: 'link'; ref: string }
  | { error: [string, string] } {
  const value = (k: keyof typeof BUG_INPUT) => inputValue(view, BUG_INPUT[k].block, BUG_INPUT[k].action)?.trim() ?? '';
  const title = value('title');
  const ref = value('link');
  if (title && ref) return { error: [BUG_INPUT.link.block, 'Either a new bug (title) or an existing one, not both.'] };
  if (ref) return { kind: 'link', ref };
  if (!title) return { error: [BUG_INPUT.title.block, 'Give the bug a title, or name an existing bug below.'] };
  const severity = value('severity');
  return {
    kind: 'log',
    title,
    severity: SEVERITIES.includes(severity as Severity) ? (severity as Severity) : 'normal',
    steps: value('steps'),
  };
}

/**
 * "Log a bug" on the header card (shown when a tracker is configured): the
 * modal, then the issue created (or linked) through the core's bug desk. The
 * modal closes at once (Slack waits 3 s, a tracker may take longer); the
 * header card shows the link once stored, and a tracker's refusal comes back
 * to the agent in the thread, seen by them only, with nothing kept.
 */
export function registerBugListeners(d: {
  app: App;
  desk: DeskHost;
  agents: Agents;
  threads: ThreadStore;
  /** Posts to the agent only (an ephemeral message in the thread). */
  tell(w: Where, text: string): Promise<void>;
  agentOr(w: Where): Promise<DeskAgent | null>;
  control(
    actionId: string,
    run: (id: string, agent: DeskAgent, w: Where, body: Record<string, unknown>) => Promise<void>,
  ): void;
  nudge(conversationId: string): void;
}): void {
  const open = async (id: string, w: Where, triggerId: unknown) => {
    if (!d.desk.bugs?.enabled()) return d.tell(w, 'No bug tracker is configured (router.yaml `bugTracker`).');
    await d.app.client.views.open({ trigger_id: String(triggerId), view: bugModal(id) as never });
  };
  d.control(ACTION.bug, (id, _agent, w, b) => open(id, w, b.trigger_id));
  d.app.shortcut(BUG_SHORTCUT, async ({ ack, body }) => {
    await ack();
    const at = await shortcutTarget(body, { threads: d.threads, agentOr: d.agentOr, refuse: d.tell });
    if (at) await open(at.conversationId, at.w, at.triggerId);
  });

  d.app.view(BUG_VIEW, async ({ ack, body, view }) => {
    const agent = d.agents.bySlackUser(body.user.id);
    if (!agent) return ack({ response_action: 'errors', errors: { [BUG_INPUT.title.block]: REFUSAL } });
    const asked = request(view);
    if ('error' in asked) return ack({ response_action: 'errors', errors: { [asked.error[0]]: asked.error[1] } });
    await ack();
    const id = view.private_metadata;
    const thread = await d.threads.get(id);
    const w: Where = { user: body.user.id, ...(thread ? { channel: thread.channel, threadTs: thread.ts } : {}) };
    const bugs = d.desk.bugs;
    try {
      if (!bugs) throw new TouchpointError('no_tracker', 'no bug tracker is configured');
      const bug: DeskBug =
        asked.kind === 'log'
          ? await bugs.log(id, { title: asked.title, severity: asked.severity, steps: asked.steps }, agent.agent)
          : await bugs.link(id, asked.ref, agent.agent);
      d.nudge(id);
      await d.tell(
        w,
        `${asked.kind === 'log' ? 'Logged' : 'Linked to'} <${bug.url}|${esc(bug.tracker)} #${esc(bug.key)}>.`,
      );
    } catch (err) {
      if (!(err instanceof TouchpointError)) throw err;
      await d.tell(w, `The bug was not ${asked.kind === 'log' ? 'logged' : 'linked'}: ${err.message}`);
    }
  });
}
