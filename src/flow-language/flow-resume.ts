import type { Conversation } from '../model/types.ts';
import { type LeafStep, programOf } from './flow-program.ts';
import type { FlowRun } from './flow-state.ts';
import { type Activation, endRun, flowById, indexOf } from './run-control.ts';
import { type AnswerVerdict, answerAsk, answerCsat, askTimedOut } from './step-ask.ts';
import { answerKnowledge, knowledgeTimedOut } from './step-knowledge.ts';
import { answerVerify, sendVerifyCode, verifyExpired } from './step-verify.ts';
import type { GivenReach } from './verify-reach.ts';

/** Carrying on a parked run: with the customer's answer, or because its timer fired. */

/**
 * The step a run is parked at, or null when the flow was edited under it so
 * that no step of the kind it waits in is there any more (then the run ends).
 */
export function parkedStep(act: Activation, run: FlowRun): LeafStep | null {
  const flow = flowById(act, run.flow);
  const index = flow ? indexOf(run, flow) : null;
  if (!flow || index === null) return null;
  const instr = programOf(flow).instrs[index];
  return instr?.op === 'step' && instr.kind === run.parked.kind ? instr.step : null;
}

/**
 * Gives the customer's message to the run waiting for it. `interrupt` is asked
 * when the message is not a valid answer: true ends the run and lets the
 * message start another flow instead ("can I talk to a person?").
 */
export function deliverAnswer(act: Activation, run: FlowRun, text: string, interrupt: () => boolean): AnswerVerdict {
  const step = parkedStep(act, run);
  if (step && 'ask' in step) return answerAsk(act, run, step.ask, text, interrupt);
  if (step && 'csat' in step) return answerCsat(act, run, step.csat, text, interrupt);
  if (step && 'verify' in step) return answerVerify(act, run, step.verify, text, interrupt);
  if (step && 'knowledge' in step) return answerKnowledge(act, run, step.knowledge, text, interrupt);
  endRun(act, run, 'error');
  return 'interrupted';
}

/** The run's timer fired: a wait is over, or nobody answered in time. */
export function resumeRun(act: Activation, run: FlowRun): void {
  const step = parkedStep(act, run);
  if (!step) {
    endRun(act, run, 'error');
    return;
  }
  if ('ask' in step) {
    askTimedOut(act, run, step.ask);
    return;
  }
  if ('verify' in step) {
    verifyExpired(act, run);
    return;
  }
  if ('knowledge' in step) {
    knowledgeTimedOut(act, run);
    return;
  }
  act.interpreter.continueAfter(run);
}

/** A verify run's code can go out now that the contact's conversations are known. */
export function resumeVerify(act: Activation, run: FlowRun, theirs: Conversation[], given?: GivenReach | null): void {
  const step = parkedStep(act, run);
  if (step && 'verify' in step) sendVerifyCode(act, run, step.verify, theirs, given);
  else endRun(act, run, 'error');
}
