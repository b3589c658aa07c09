import { loadForDecision, newDecision, type WriteDeps, type Written, writeDecision } from '../decide/write-decision.ts';
import { HttpError, notFound } from '../errors.ts';
import type { Settings } from '../settings/types.ts';
import type { StoreTx } from '../store/contract.ts';
import { engineOf } from './engine-of.ts';
import { activate, commit, startFlow } from './flow-runner.ts';
import type { Vars } from './flow-state.ts';

/**
 * Starts one flow by id in a conversation, as a person asked (an agent's
 * "start flow", a survey on resolve), in the caller's transaction. A run of
 * the same flow already there is replaced. Unknown flows are a 400 naming the
 * known ones; a closed conversation is a 409.
 */
export async function startFlowIn(
  tx: StoreTx,
  conversationId: string,
  flowId: string,
  deps: WriteDeps & { settings: Settings; now: number; vars?: Vars },
): Promise<Written> {
  const flow = engineOf(deps.settings).flows.get(flowId);
  if (!flow) {
    const known = deps.settings.flows.map((f) => f.id).join(', ') || 'none';
    throw new HttpError(400, 'unknown_flow', `no flow "${flowId}"; flows: ${known}`);
  }
  const loaded = await loadForDecision(tx, conversationId);
  if (!loaded) throw notFound(`no conversation ${conversationId}`);
  if (loaded.conversation.status === 'closed')
    throw new HttpError(409, 'conversation_closed', `conversation ${conversationId} is closed`);
  const ctx = newDecision(deps.settings, deps.now, loaded.conversation, loaded.contact);
  const act = activate(ctx);
  startFlow(act, flow, deps.vars ?? {}, { replace: true });
  commit(act);
  return writeDecision(tx, ctx, deps);
}
