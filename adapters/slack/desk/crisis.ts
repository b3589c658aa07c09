import type { App } from '@slack/bolt';
import { type DeskHost, type Logger, TouchpointError } from '../../../src/channel/index.ts';
import { type Agents, REFUSAL } from './agents.ts';
import { esc } from './header.ts';
import { inputValue } from './modals.ts';

/**
 * The crisis switch for admins, from anywhere in Slack: the global shortcut
 * opens a confirmation modal (switching on: which holding statement every
 * customer gets, and why; switching off: why). Who may switch is the core's
 * to judge (an admin agent account); anyone else is refused at once, in an
 * ephemeral message in the desk channel that says why. The switch is audited
 * in the core, which pages the chain of command and posts the banner.
 */

export const CRISIS_SHORTCUT = 'tp_crisis';
export const CRISIS_VIEW = 'tp_crisis_modal';
export const CRISIS_INPUT = {
  statement: { block: 'tp_crisis_statement', action: 'tp_crisis_statement_pick' },
  reason: { block: 'tp_crisis_reason', action: 'tp_crisis_reason_text' },
} as const;

export interface CrisisListenerDeps {
  app: App;
  desk: DeskHost;
  agents: Agents;
  /** Where refusals and confirmations are shown (ephemeral): the desk's default channel. */
  deskChannel: string;
  log: Logger;
}

export function registerCrisisListeners(d: CrisisListenerDeps): void {
  const { app, desk, agents } = d;

  const tell = async (user: string, text: string) => {
    try {
      await app.client.chat.postEphemeral({ channel: d.deskChannel, user, text });
    } catch (err) {
      d.log.warn({ err, user }, 'could not post an ephemeral crisis message');
    }
  };

  app.shortcut(CRISIS_SHORTCUT, async ({ ack, body }) => {
    await ack();
    const user = body.user.id;
    const agent = agents.bySlackUser(user);
    if (!agent) return tell(user, REFUSAL);
    const crisis = desk.crisis;
    if (!crisis) return tell(user, 'This router has no crisis switch for the desk.');
    const refused = await crisis.refusal(agent.agent);
    if (refused) return tell(user, `Crisis mode not switched: ${refused}.`);
    const state = await crisis.state();
    const view = crisisModal(state, crisis.statements());
    await app.client.views.open({ trigger_id: String(body.trigger_id), view: view as never });
  });

  app.view(CRISIS_VIEW, async ({ ack, body, view }) => {
    const user = body.user.id;
    const agent = agents.bySlackUser(user);
    const errorAt = (text: string) =>
      ack({ response_action: 'errors', errors: { [CRISIS_INPUT.reason.block]: text.slice(0, 150) } });
    if (!agent) return errorAt(REFUSAL);
    const crisis = desk.crisis;
    if (!crisis) return errorAt('This router has no crisis switch for the desk.');
    const on = view.private_metadata === 'on';
    const statement = inputValue(view, CRISIS_INPUT.statement.block, CRISIS_INPUT.statement.action);
    const reason = inputValue(view, CRISIS_INPUT.reason.block, CRISIS_INPUT.reason.action)?.trim() ?? '';
    let switched: { on: boolean; changed: boolean };
    try {
      switched = await crisis.switch({
        agent: agent.agent,
        on,
        ...(on && statement ? { statement } : {}),
        ...(reason ? { reason } : {}),
      });
    } catch (err) {
      if (!(err instanceof TouchpointError)) throw err;
      await errorAt(err.message);
      return tell(user, `Crisis mode not switched: ${err.message}.`);
    }
    await ack();
    const now = switched.on ? 'on' : 'off';
    await tell(
      user,
      switched.changed ? `Crisis mode is ${now}. The chain of command is paged.` : `Crisis mode was already ${now}.`,
    );
  });
}

/** The confirmation: switching on picks the statement; switching off says what resumes. */
export function crisisModal(
  state: Awaited<ReturnType<NonNullable<DeskHost['crisis']>['state']>>,
  statements: Array<{ id: string; text: string }>,
) {
  const reason = {
    type: 'input',
    block_id: CRISIS_INPUT.reason.block,
    optional: !state.on,
    label: { type: 'plain_text', text: state.on ? 'Why it is over' : 'What happened' },
    element: { type: 'plain_text_input', action_id: CRISIS_INPUT.reason.action, max_length: 500 },
  };
  const common = { type: 'modal' as const, callback_id: CRISIS_VIEW, close: { type: 'plain_text', text: 'Cancel' } };
  if (state.on) {
    const since = state.by ? ` by ${esc(state.by)}` : '';
    return {
      ...common,
      private_metadata: 'off',
      title: { type: 'plain_text', text: 'End crisis mode' },
      submit: { type: 'plain_text', text: 'Switch off' },
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `:rotating_light: Crisis mode is *on* (switched on${since}). Switching off resumes the paused flows and follow-ups, in order.`,
          },
        },
        { ...reason, optional: true },
      ],
    };
  }
  const options = statements.slice(0, 100).map((s) => ({
    text: { type: 'plain_text', text: s.text.slice(0, 75) || s.id },
    value: s.id,
    description: { type: 'plain_text', text: s.id.slice(0, 75) },
  }));
  return {
    ...common,
    private_metadata: 'on',
    title: { type: 'plain_text', text: 'Start crisis mode' },
    submit: { type: 'plain_text', text: 'Switch on' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: 'Every automated flow and follow-up pauses; every customer who writes gets the holding statement once; the chain of command is paged.',
        },
      },
      {
        type: 'input',
        block_id: CRISIS_INPUT.statement.block,
        label: { type: 'plain_text', text: 'Holding statement' },
        element: {
          type: 'static_select',
          action_id: CRISIS_INPUT.statement.action,
          options,
          ...(options[0] ? { initial_option: options[0] } : {}),
        },
      },
      reason,
    ],
  };
}
