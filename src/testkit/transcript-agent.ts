import type { Clock } from '../clock.ts';
import { createOutbound } from '../outbound/outbound.ts';
import { createAgentActions } from '../people/agent-actions.ts';
import type { Settings } from '../settings/types.ts';
import type { Store } from '../store/contract.ts';
import { toThreadKey } from './engine-deps.ts';
import type { TranscriptStep } from './transcript-schema.ts';

/**
 * An agent acts in a transcript through the same actions the desk and the
 * conversations API use: a reply to the customer, an internal note, resolve
 * (with the survey the caller names, none by default), or assign.
 */

export type AgentStep = NonNullable<TranscriptStep['agent']>;

export async function actAsAgent(
  store: Store,
  clock: Clock,
  settings: Settings,
  conversationId: string,
  step: AgentStep,
): Promise<void> {
  const actions = createAgentActions({
    store,
    clock,
    outbound: createOutbound({ destinationOf: toThreadKey }),
    onMessages: () => {},
    flows: { settings, onWritten: () => {} },
  });
  const by = step.as;
  if (step.reply !== undefined) await actions.reply(conversationId, { text: step.reply, agent: by });
  else if (step.note !== undefined) await actions.reply(conversationId, { text: step.note, agent: by, internal: true });
  else if (step.resolve) await actions.resolve(conversationId, by, { survey: step.survey ?? null });
  else if (step.assign !== undefined) await actions.assign(conversationId, step.assign, by);
}
