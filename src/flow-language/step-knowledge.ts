import { parseDuration } from '../duration.ts';
import { answerText } from '../knowledge/answer-text.ts';
import { knowledgeOf } from '../knowledge/of-settings.ts';
import type { KnowledgeEntry } from '../knowledge/search.ts';
import { fill } from '../outbound/templates.ts';
import type { Choice, KnowledgeStep } from '../settings/flow-schema.ts';
import { choicesOf, pickChoice, renderChoices } from './answers.ts';
import type { FlowRun, Parked } from './flow-state.ts';
import { say, templateVars } from './flow-vars.ts';
import { type Activation, endRun, parkRun, touchRun } from './run-control.ts';
import type { AnswerVerdict } from './step-ask.ts';
import { handoff } from './step-handoff.ts';

/**
 * `knowledge`: self-service at any hour. The question is searched in the
 * knowledge base (src/knowledge); one answer is given at once, several are
 * offered as choices to pick from; then "did this help?". The answer is a
 * self-service fact (kind `self_service`, written with the decision): a yes
 * with no person needed afterwards counts as deflection; a no hands off to a
 * person. `{knowledge}` tells the rest of the flow how it went.
 */

export type KnowledgeOutcome = 'helped' | 'not-helped' | 'none' | 'unanswered';

const YES_NO = choicesOf({ expect: 'yes_no' });
/** Answers that are neither a pick nor a yes or no: asked once more, then the flow goes on without one. */
const RETRIES = 1;

const choiceOf = (e: KnowledgeEntry): Choice => ({ value: e.id, label: e.title, keywords: [] });

export function knowledgeStep(act: Activation, run: FlowRun, step: KnowledgeStep): 'next' | { park: Parked } {
  const { ctx } = act;
  const question = fill(step.question, templateVars(ctx, run.vars));
  const hits = knowledgeOf(ctx.settings.policies).answer(question, step.limit);
  const [only] = hits;
  if (!only) {
    run.vars.knowledge = 'none' satisfies KnowledgeOutcome;
    if (step.none) say(ctx, step.none, run.vars);
    return 'next';
  }
  if (hits.length === 1) return { park: give(act, run, step, only) };
  offer(act, run, step, hits);
  return { park: { kind: 'knowledge', until: untilOf(act, step), tries: 0, offered: hits.map((h) => h.id) } };
}

const untilOf = (act: Activation, step: KnowledgeStep) => act.ctx.now + parseDuration(step.timeout);

function offer(act: Activation, run: FlowRun, step: KnowledgeStep, entries: KnowledgeEntry[]): void {
  const { text, parts } = renderChoices(entries.map(choiceOf));
  say(act.ctx, step.offer, run.vars, { append: text, parts });
}

/** Sends one entry's answer and asks whether it helped. */
function give(act: Activation, run: FlowRun, step: KnowledgeStep, entry: KnowledgeEntry): Parked {
  const { ctx } = act;
  ctx.replies.push({ text: fill(answerText(entry), templateVars(ctx, run.vars)), author: 'bot' });
  askHelped(act, run, step);
  return { kind: 'knowledge', until: untilOf(act, step), tries: 0, given: entry.id };
}

function askHelped(act: Activation, run: FlowRun, step: KnowledgeStep): void {
  const { text, parts } = renderChoices(YES_NO);
  say(act.ctx, step.helped, run.vars, { append: text, parts });
}

/** The customer's message to a run parked here: a pick of the answers offered, or a yes or no. */
export function answerKnowledge(
  act: Activation,
  run: FlowRun,
  step: KnowledgeStep,
  text: string,
  interrupt: () => boolean,
): AnswerVerdict {
  const index = knowledgeOf(act.ctx.settings.policies);
  const { given, offered } = run.parked;
  const yesNo = pickChoice(YES_NO, text)?.value;
  if (given === undefined) {
    const entries = (offered ?? []).map((id) => index.get(id)).filter((e): e is KnowledgeEntry => e !== null);
    const picked = pickChoice(entries.map(choiceOf), text);
    const entry = picked ? entries.find((e) => e.id === picked.value) : undefined;
    if (entry) {
      parkRun(act, run, give(act, run, step, entry));
      return 'consumed';
    }
    // "none of these": the answers offered did not help either
    if (yesNo === 'no') return settle(act, run, step, false, null);
    return invalid(act, run, interrupt, () => offer(act, run, step, entries));
  }
  if (yesNo === 'yes' || yesNo === 'no') return settle(act, run, step, yesNo === 'yes', given);
  return invalid(act, run, interrupt, () => askHelped(act, run, step));
}

/** Neither a pick nor a yes or no: another flow's message ends the run; else ask again, once. */
function invalid(act: Activation, run: FlowRun, interrupt: () => boolean, askAgain: () => void): AnswerVerdict {
  if (interrupt()) {
    endRun(act, run, 'cancelled');
    return 'interrupted';
  }
  const tries = (run.parked.tries ?? 0) + 1;
  if (tries > RETRIES) {
    knowledgeTimedOut(act, run);
    return 'consumed';
  }
  run.parked = { ...run.parked, tries };
  touchRun(act, run);
  askAgain();
  return 'consumed';
}

/** Yes: self-service, thanks, and the flow goes on. No: a person takes over. Either way a durable fact. */
function settle(act: Activation, run: FlowRun, step: KnowledgeStep, helped: boolean, entry: string | null) {
  const { ctx } = act;
  run.vars.knowledge = (helped ? 'helped' : 'not-helped') satisfies KnowledgeOutcome;
  ctx.events.push({ type: 'self-service', data: { helped, flow: run.flow, entry } });
  if (helped) {
    if (step.thanks) say(ctx, step.thanks, run.vars);
  } else handoff(act, run, step.handoff);
  act.interpreter.continueAfter(run);
  return 'consumed' as const;
}

/** Nobody picked or answered in time: no fact either way, and the flow goes on. */
export function knowledgeTimedOut(act: Activation, run: FlowRun): void {
  run.vars.knowledge = 'unanswered' satisfies KnowledgeOutcome;
  act.interpreter.continueAfter(run);
}
