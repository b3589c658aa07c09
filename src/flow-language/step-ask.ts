import type { RouteContext } from '../decide/context.ts';
import { parseDuration } from '../duration.ts';
import type { AskStep, CsatStep } from '../settings/flow-schema.ts';
import { readingOf, storeAnswer } from './answer-vars.ts';
import { choicesOf, parseAnswer, renderChoices } from './answers.ts';
import type { FlowRun, Parked } from './flow-state.ts';
import { say } from './flow-vars.ts';
import { type Activation, endRun, touchRun } from './run-control.ts';

/**
 * `ask` and `csat`: say the question, park until the customer answers (the
 * next message of the conversation comes here before intent matching), ask
 * again after an invalid answer, and give up after the retries or a timeout.
 */

export type AnswerVerdict = 'consumed' | 'interrupted';

function askQuestion(act: Activation, run: FlowRun, step: AskStep): void {
  const choices = choicesOf(step);
  if (choices.length === 0) {
    say(act.ctx, step.template, run.vars);
    return;
  }
  const { text, parts } = renderChoices(choices);
  say(act.ctx, step.template, run.vars, { append: text, parts });
}

/**
 * `fromMessage`: the answer may already be in the message that started the
 * flow or the one being handled now ("a cake for 20 on the 19th"; the 19th
 * is not 19 people).
 */
function answeredAlready(act: Activation, run: FlowRun, step: AskStep): boolean {
  if (!step.fromMessage) return false;
  const ctx = act.ctx;
  const reading = readingOf(ctx);
  const latest = 'envelope' in ctx ? (ctx as RouteContext).envelope.text : null;
  const opening = typeof run.vars.message === 'string' ? run.vars.message : null;
  for (const text of new Set([latest, opening])) {
    if (!text) continue;
    const parsed = parseAnswer(step, text, ctx.now, reading);
    if (!parsed.ok) continue;
    storeAnswer(ctx, run.vars, step.var, parsed.value, step.expect);
    return true;
  }
  return false;
}

export function askStep(act: Activation, run: FlowRun, step: AskStep): { park: Parked } | 'next' {
  if (answeredAlready(act, run, step)) return 'next';
  askQuestion(act, run, step);
  const until = step.timeout ? act.ctx.now + parseDuration(step.timeout) : null;
  return { park: { kind: 'ask', until, tries: 0 } };
}

export function answerAsk(
  act: Activation,
  run: FlowRun,
  step: AskStep,
  text: string,
  interrupt: () => boolean,
): AnswerVerdict {
  const parsed = parseAnswer(step, text, act.ctx.now, readingOf(act.ctx));
  if (parsed.ok) {
    storeAnswer(act.ctx, run.vars, step.var, parsed.value, step.expect);
    act.interpreter.continueAfter(run);
    return 'consumed';
  }
  if (interrupt()) {
    endRun(act, run, 'cancelled');
    return 'interrupted';
  }
  const tries = (run.parked.tries ?? 0) + 1;
  if (tries > step.retries) {
    if (step.onInvalid === 'end') endRun(act, run, 'done');
    else {
      run.vars[step.var] = null;
      act.interpreter.continueAfter(run);
    }
    return 'consumed';
  }
  run.parked = { ...run.parked, tries };
  touchRun(act, run);
  if (step.invalid) say(act.ctx, step.invalid, run.vars);
  askQuestion(act, run, step);
  return 'consumed';
}

export function askTimedOut(act: Activation, run: FlowRun, step: AskStep): void {
  if (step.onTimeout === 'end') {
    endRun(act, run, 'done');
    return;
  }
  run.vars[step.var] = null;
  act.interpreter.continueAfter(run);
}

const SCALE = [1, 2, 3, 4, 5];

export function csatStep(act: Activation, run: FlowRun, step: CsatStep): { park: Parked } {
  const parts = [{ type: 'choices', options: SCALE.map((n) => ({ value: String(n), label: String(n) })) }];
  say(act.ctx, step.template, run.vars, { parts });
  return { park: { kind: 'csat', until: act.ctx.now + parseDuration(step.timeout), tries: 0 } };
}

/** A score from 1 to 5: a digit on its own, or a row of stars. */
function score(text: string): number | null {
  const digit = /(?:^|[^\d])([1-5])(?:\s{0,3}\/\s{0,3}5)?(?:$|[^\d])/.exec(text.trim());
  if (digit) return Number(digit[1]);
  const stars = [...text.matchAll(/[⭐★]/gu)].length;
  return stars >= 1 && stars <= 5 ? stars : null;
}

export function answerCsat(
  act: Activation,
  run: FlowRun,
  step: CsatStep,
  text: string,
  interrupt: () => boolean,
): AnswerVerdict {
  const n = score(text);
  if (n === null) {
    if (interrupt()) {
      endRun(act, run, 'cancelled');
      return 'interrupted';
    }
    // one more try, then the flow goes on without a score
    if ((run.parked.tries ?? 0) >= 1) {
      act.interpreter.continueAfter(run);
      return 'consumed';
    }
    run.parked = { ...run.parked, tries: 1 };
    touchRun(act, run);
    csatStep(act, run, step);
    return 'consumed';
  }
  run.vars.csat = n;
  act.ctx.events.push({ type: 'csat', data: { score: n, flow: run.flow } });
  const reply = n <= 2 ? (step.low ?? step.thanks) : step.thanks;
  if (reply) say(act.ctx, reply, run.vars);
  act.interpreter.continueAfter(run);
  return 'consumed';
}
