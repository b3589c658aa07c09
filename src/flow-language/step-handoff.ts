import { current } from '../decide/context.ts';
import type { HandoffStep } from '../settings/flow-schema.ts';
import type { FlowRun } from './flow-state.ts';
import { type Activation, endRun } from './run-control.ts';

/**
 * A person takes over: the bot stays quiet in this conversation until an agent
 * resolves it. Runs waiting for the customer's answer end (the person asks
 * now); timed runs (a booking reminder) keep their time.
 */
export function handoff(act: Activation, run: FlowRun, h: HandoffStep): void {
  const { ctx } = act;
  const data = { team: h.team ?? null, reason: h.reason ?? null, flow: run.flow };
  if (h.priority !== undefined) ctx.patch.priority = h.priority;
  ctx.patch.flowState = { ...(current(ctx).flowState ?? {}), handoff: { ...data, at: ctx.now } };
  ctx.patch.status = 'open';
  ctx.patch.tags = [...new Set([...current(ctx).tags, 'handoff'])];
  ctx.events.push({ type: 'handoff', data });
  for (const other of act.state.runs) {
    if (other.id !== run.id && other.parked.kind !== 'wait' && other.parked.kind !== 'lookup')
      endRun(act, other, 'handed-off');
  }
}
