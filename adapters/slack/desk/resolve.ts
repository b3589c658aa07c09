import type { App } from '@slack/bolt';
import { type DeskHost, TouchpointError } from '../../../src/channel/index.ts';
import { type Agents, REFUSAL } from './agents.ts';
import { inputValue, RESOLVE_INPUT, VIEW } from './modals.ts';

/**
 * The resolve modal's submission: the disposition and note go to the core,
 * which decides whether the code is required. Its refusal is shown on the
 * modal's field, so the agent picks a code without starting over.
 */
export function registerResolveModal(d: {
  app: App;
  desk: DeskHost;
  agents: Agents;
  survey: { survey: string } | undefined;
  nudge: (conversationId: string) => void;
}): void {
  d.app.view(VIEW.resolve, async ({ ack, body, view }) => {
    const agent = d.agents.bySlackUser(body.user.id);
    if (!agent) return ack({ response_action: 'errors', errors: { [RESOLVE_INPUT.block]: REFUSAL } });
    const id = view.private_metadata;
    const disposition = inputValue(view, RESOLVE_INPUT.block, RESOLVE_INPUT.action);
    const note = inputValue(view, RESOLVE_INPUT.noteBlock, RESOLVE_INPUT.noteAction);
    try {
      await d.desk.actions.resolve(id, agent.agent, { ...d.survey, disposition, note });
    } catch (err) {
      if (!(err instanceof TouchpointError)) throw err;
      return ack({ response_action: 'errors', errors: { [RESOLVE_INPUT.block]: err.message.slice(0, 150) } });
    }
    await ack();
    d.nudge(id);
  });
}
