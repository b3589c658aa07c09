import type { DecisionContext } from '../decide/context.ts';
import { current } from '../decide/context.ts';
import type { FlowDef } from '../settings/flow-schema.ts';
import { holds } from './conditions.ts';
import { engineOf } from './engine-of.ts';
import { programOf } from './flow-program.ts';
import { type FlowRun, newToken, readEngineState, saveState, type Vars } from './flow-state.ts';
import { type Activation, endRun, flowById, indexOf, parkRun } from './run-control.ts';
import { execStep } from './steps.ts';

/**
 * The step interpreter. An activation is one decision about one conversation
 * (an inbound message, a timer, a business event): it loads the flow state,
 * runs flows until each parks or ends, and saves the state into the patch.
 */

const BUDGET = 500;

export function activate(ctx: DecisionContext): Activation {
  const state = readEngineState(current(ctx).flowState);
  const act: Activation = {
    ctx,
    state,
    persisted: new Set(state.runs.map((r) => r.id)),
    budget: BUDGET,
    dirty: false,
    interpreter: {
      start: (flow, vars) => startFlow(act, flow, vars),
      continueAfter: (run) => continueAfter(act, run),
    },
  };
  return act;
}

/** Writes the flow state into the decision, if anything changed. */
export function commit(act: Activation): void {
  if (act.dirty) saveState(act.ctx, act.state);
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
