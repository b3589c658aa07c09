import type { DecisionContext } from '../decide/context.ts';
import { current } from '../decide/context.ts';
import { holds } from './conditions.ts';
import { engineOf } from './engine-of.ts';
import { programOf } from './flow-program.ts';
import type { FlowDef } from './flow-schema.ts';
import {
  type EngineState,
  type FlowRun,
  MAX_RUNS,
  newToken,
  type Outcome,
  type Parked,
  parkTimerKind,
  readEngineState,
  recordEnd,
  runTimerKey,
  saveState,
  type Vars,
} from './flow-state.ts';
import { execStep } from './steps.ts';

/**
 * The step interpreter. An activation is one decision about one conversation
 * (an inbound message, a timer, a business event): it loads the flow state,
 * runs flows until each parks or ends, and saves the state into the patch.
 */

export interface Activation {
  ctx: DecisionContext;
  state: EngineState;
  /** Runs loaded from the store: their timer may exist there and must be cancelled when they end. */
  persisted: Set<string>;
  /** Instructions left: a flow that loops without parking is stopped. */
  budget: number;
  dirty: boolean;
}

const BUDGET = 500;

export function activate(ctx: DecisionContext): Activation {
  const state = readEngineState(current(ctx).flowState);
  return { ctx, state, persisted: new Set(state.runs.map((r) => r.id)), budget: BUDGET, dirty: false };
}

/** Writes the flow state into the decision, if anything changed. */
export function commit(act: Activation): void {
  if (act.dirty) saveState(act.ctx, act.state);
}

export function flowById(act: Activation, id: string): FlowDef | null {
  return engineOf(act.ctx.settings).flows.get(id) ?? null;
}

export function indexOf(run: FlowRun, flow: FlowDef): number | null {
  return programOf(flow).index.get(run.at) ?? null;
}

/**
 * Starts a flow. A run of the same flow already in this conversation is
 * replaced, except for business events: two bookings get two reminders.
 */
export function startFlow(
  act: Activation,
  flow: FlowDef,
  vars: Vars = {},
  opts: { replace: boolean } = { replace: true },
): void {
  if (opts.replace) for (const old of act.state.runs.filter((r) => r.flow === flow.id)) endRun(act, old, 'replaced');
  const run: FlowRun = {
    id: newToken(),
    flow: flow.id,
    at: '',
    vars: { ...vars },
    startedAt: act.ctx.now,
    token: newToken(),
    parked: { kind: 'wait', until: null },
  };
  act.dirty = true;
  continueRun(act, run, 0);
}

/** Runs from instruction `index` until the run parks or ends. */
export function continueRun(act: Activation, run: FlowRun, index: number): void {
  const flow = flowById(act, run.flow);
  if (!flow) {
    endRun(act, run, 'error');
    return;
  }
  const program = programOf(flow);
  let i = index;
  for (;;) {
    if (act.budget-- <= 0) {
      endRun(act, run, 'error');
      return;
    }
    const instr = program.instrs[i];
    if (!instr) {
      endRun(act, run, 'done');
      return;
    }
    if (instr.op === 'branch') {
      const facts = {
        ctx: act.ctx,
        vars: run.vars,
        calendar: engineOf(act.ctx.settings).calendar,
        verified: act.state.verified !== null,
      };
      i = holds(instr.when, facts) ? i + 1 : instr.otherwise;
      continue;
    }
    if (instr.op === 'jump') {
      if (instr.to < 0) {
        endRun(act, run, 'error');
        return;
      }
      i = instr.to;
      continue;
    }
    run.at = instr.at;
    const result = execStep(act, run, instr.step, instr.kind);
    if (result === 'next') i++;
    else if (result === 'end') {
      endRun(act, run, 'done');
      return;
    } else if ('park' in result) {
      parkRun(act, run, result.park);
      return;
    } else {
      const next = flowById(act, result.start);
      endRun(act, run, 'done', false);
      if (next) startFlow(act, next, run.vars);
      return;
    }
  }
}

/** Continues a parked run after the step it is parked at. */
export function continueAfter(act: Activation, run: FlowRun): void {
  const flow = flowById(act, run.flow);
  const index = flow ? indexOf(run, flow) : null;
  if (index === null) {
    endRun(act, run, 'error');
    return;
  }
  continueRun(act, run, index + 1);
}

export function parkRun(act: Activation, run: FlowRun, parked: Parked): void {
  act.dirty = true;
  run.token = newToken();
  run.parked = parked;
  act.state.runs = [...act.state.runs.filter((r) => r.id !== run.id), run];
  const key = runTimerKey(act.ctx.conversation.id, run.id);
  dropPlannedTimer(act, key);
  if (parked.until !== null) {
    act.ctx.timers.push({
      kind: parkTimerKind(parked),
      key,
      dueAt: parked.until,
      payload: { run: run.id, token: run.token },
    });
  } else if (act.persisted.has(run.id)) cancelStoredTimer(act, key);
  while (act.state.runs.length > MAX_RUNS) {
    const oldest = act.state.runs[0] as FlowRun;
    endRun(act, oldest, 'cancelled');
  }
}

/** Updates a parked run in place (an invalid answer counted) without touching its timer. */
export function touchRun(act: Activation, run: FlowRun): void {
  act.dirty = true;
  act.state.runs = act.state.runs.map((r) => (r.id === run.id ? run : r));
}

/**
 * Ends a run: removes it, cancels its timer and records how it ended. A flow
 * that ends normally starts the flows whose trigger lists it under `after`.
 */
export function endRun(act: Activation, run: FlowRun, outcome: Outcome, chain = true): void {
  act.dirty = true;
  act.state.runs = act.state.runs.filter((r) => r.id !== run.id);
  const key = runTimerKey(act.ctx.conversation.id, run.id);
  dropPlannedTimer(act, key);
  if (act.persisted.delete(run.id)) cancelStoredTimer(act, key);
  recordEnd(act.state, run, outcome, act.ctx.now);
  if (outcome !== 'done' || !chain) return;
  const next = act.ctx.settings.flows
    .filter((f) => f.trigger.after.includes(run.flow))
    .sort((a, b) => b.priority - a.priority);
  for (const flow of next) startFlow(act, flow, run.vars);
}

function cancelStoredTimer(act: Activation, key: string): void {
  if (!act.ctx.cancelTimers.includes(key)) act.ctx.cancelTimers.push(key);
}

function dropPlannedTimer(act: Activation, key: string): void {
  const i = act.ctx.timers.findIndex((t) => t.key === key);
  if (i >= 0) act.ctx.timers.splice(i, 1);
}
