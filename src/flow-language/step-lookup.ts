import { parseDuration } from '../duration.ts';
import { fill } from '../outbound/templates.ts';
import type { LookupStep } from '../settings/flow-schema.ts';
import { parkedStep } from './flow-resume.ts';
import type { FlowRun, Vars } from './flow-state.ts';
import { flattenInto, say, templateVars, timeFormatOf } from './flow-vars.ts';
import type { LookupOutcome, LookupRequest, LookupTask } from './lookup-runner.ts';
import { type Activation, endRun, parkRun } from './run-control.ts';

/**
 * `lookup`: the run parks, and its `flow.lookup` timer starts attempt n.
 * The timer is then moved to a guard instant (timeout plus grace): if the
 * answer is never recorded (a crash mid-request), the guard starts attempt
 * n+1. A recorded answer continues the flow with {save.result} set to found,
 * not_found or failed; a transient failure is retried after retryDelay
 * (doubling) until the attempts run out. Outcomes carry the run's token and
 * attempt, so a late answer to an abandoned attempt changes nothing.
 */

const GRACE_MS = 5_000;

function lookupStepOf(act: Activation, run: FlowRun): LookupStep | null {
  const step = parkedStep(act, run);
  return step && 'lookup' in step ? step.lookup : null;
}

function request(act: Activation, run: FlowRun, step: LookupStep): LookupRequest | null {
  const vars = templateVars(act.ctx, run.vars);
  const encoded = Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [k, v === null ? null : encodeURIComponent(String(v))]),
  );
  const url = fill(step.url, encoded);
  if (!/^(https?:\/\/[^\s/]+|demo:\/)/i.test(url)) return null;
  const headers = Object.fromEntries(Object.entries(step.headers).map(([k, v]) => [k, fill(v, vars)]));
  if (step.method === 'GET' || !step.body) return { url, method: step.method, headers };
  const body = JSON.stringify(Object.fromEntries(Object.entries(step.body).map(([k, v]) => [k, fill(v, vars)])));
  return { url, method: step.method, headers: { 'content-type': 'application/json', ...headers }, body };
}

function finish(
  act: Activation,
  run: FlowRun,
  step: LookupStep,
  result: 'found' | 'not_found' | 'failed',
  data?: unknown,
): void {
  const saved: Vars = {};
  if (data !== undefined) flattenInto(saved, data, step.save, timeFormatOf(act.ctx));
  Object.assign(run.vars, saved);
  run.vars[`${step.save}.result`] = result;
  act.interpreter.continueAfter(run);
}

/** The `flow.lookup` timer fired for this run: start the next attempt, or give up. Returns the task to start after the write. */
export function startAttempt(act: Activation, run: FlowRun): LookupTask | null {
  const step = lookupStepOf(act, run);
  if (!step) {
    endRun(act, run, 'error');
    return null;
  }
  const attempt = (run.parked.attempt ?? 0) + 1;
  const req = request(act, run, step);
  if (attempt > step.attempts || !req) {
    finish(act, run, step, 'failed');
    return null;
  }
  const timeoutMs = parseDuration(step.timeout);
  parkRun(act, run, { kind: 'lookup', until: act.ctx.now + timeoutMs + GRACE_MS, attempt });
  return { conversationId: act.ctx.conversation.id, runId: run.id, token: run.token, attempt, request: req, timeoutMs };
}

/** Records an attempt's outcome, if the run still waits for exactly that attempt. */
export function recordOutcome(act: Activation, task: LookupTask, outcome: LookupOutcome): boolean {
  const run = act.state.runs.find((r) => r.id === task.runId);
  if (!run || run.token !== task.token || run.parked.attempt !== task.attempt) return false;
  const step = lookupStepOf(act, run);
  if (!step) return false;
  if (outcome.kind === 'found') finish(act, run, step, 'found', outcome.data);
  else if (outcome.kind === 'not_found') finish(act, run, step, 'not_found');
  else if (outcome.kind === 'failed' || task.attempt >= step.attempts) finish(act, run, step, 'failed');
  else {
    if (task.attempt === 1 && step.slow) say(act.ctx, step.slow, run.vars);
    const delay = parseDuration(step.retryDelay) * 2 ** (task.attempt - 1);
    parkRun(act, run, { kind: 'lookup', until: act.ctx.now + delay, attempt: task.attempt });
  }
  return true;
}
