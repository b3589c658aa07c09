import type { DecisionContext } from '../decide/context.ts';
import type { FlowDef } from '../settings/flow-schema.ts';
import { engineOf } from './engine-of.ts';
import { programOf } from './flow-program.ts';
import {
  type EngineState,
  type FlowRun,
  MAX_RUNS,
  newToken,
  type Outcome,
  type Parked,
  parkTimerKind,
  recordEnd,
  runTimerKey,
  type Vars,
} from './flow-state.ts';

/**
 * A run's life inside one activation: parked, touched, ended. The steps use
 * these; the interpreter that runs them (flow-runner.ts) is reached through
 * the activation, so steps and interpreter do not import each other.
 */

export interface Activation {
  ctx: DecisionContext;
  state: EngineState;
  /** Runs loaded from the store: their timer may exist there and must be cancelled when they end. */
  persisted: Set<string>;
  /** Instructions left: a flow that loops without parking is stopped. */
  budget: number;
  dirty: boolean;
  /** The interpreter, for steps and answers that move a run on (flow-runner.ts binds it). */
  interpreter: {
    start(flow: FlowDef, vars: Vars): void;
    continueAfter(run: FlowRun): void;
  };
}

export function flowById(act: Activation, id: string): FlowDef | null {
  return engineOf(act.ctx.settings).flows.get(id) ?? null;
}

export function indexOf(run: FlowRun, flow: FlowDef): number | null {
  return programOf(flow).index.get(run.at) ?? null;
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
  for (const flow of next) act.interpreter.start(flow, run.vars);
}

function cancelStoredTimer(act: Activation, key: string): void {
  if (!act.ctx.cancelTimers.includes(key)) act.ctx.cancelTimers.push(key);
}

function dropPlannedTimer(act: Activation, key: string): void {
  const i = act.ctx.timers.findIndex((t) => t.key === key);
  if (i >= 0) act.ctx.timers.splice(i, 1);
}
