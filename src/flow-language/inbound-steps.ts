import { current, currentContact, type RouteContext, type RouteStep, stop, tap } from '../decide/context.ts';
import type { FlowSteps } from '../decide/route-steps.ts';
import { engineOf } from './engine-of.ts';
import { type MatchInput, matchFlow } from './flow-match.ts';
import { deliverAnswer, parkedStep } from './flow-resume.ts';
import { activate, commit, startFlow } from './flow-runner.ts';
import { askingRun } from './flow-state.ts';
import { detectLanguage } from './language.ts';
import { endRun } from './run-control.ts';

/** The routing steps of engagement flows for inbound messages (src/decide/route-steps.ts puts them in order). */

function matchInput(ctx: RouteContext): MatchInput {
  const conv = current(ctx);
  return {
    intent: ctx.classification?.intent ?? null,
    text: ctx.envelope.text,
    // Where this message came from: a missed call on an SMS thread starts the call flows.
    touchpointKind: ctx.envelope.touchpoint.kind,
    visibility: conv.touchpoint.visibility,
    firstMessage: ctx.isNewConversation,
  };
}

/**
 * The customer's message goes first to the flow waiting for their answer;
 * otherwise it starts the flow its trigger matches (or the fallback flow).
 */
export const flowStep: RouteStep = tap((ctx) => {
  const act = activate(ctx);
  const input = matchInput(ctx);
  const asking = askingRun(act.state);
  // A request for a person is never taken as the answer to an open question.
  const interrupting = asking ? matchFlow(ctx.settings.flows, input, { fallback: false }) : null;
  if (asking && interrupting?.trigger.interrupts) endRun(act, asking, 'cancelled');
  else if (asking) {
    const verdict = deliverAnswer(
      act,
      asking,
      ctx.envelope.text,
      () => matchFlow(ctx.settings.flows, input, { fallback: false }) !== null,
    );
    if (verdict === 'consumed') return commit(act);
  }
  const flow = matchFlow(ctx.settings.flows, input);
  if (flow) startFlow(act, flow, { message: ctx.envelope.text.slice(0, 2_000), intent: input.intent });
  commit(act);
});

/**
 * While a person owns the conversation the bot stays quiet, but an answer to
 * a flow's open question is never swallowed: a question marked
 * `whileHandedOff: answer` (and a satisfaction score) takes it as usual;
 * otherwise the flow stops waiting and a note in the thread tells the agent
 * which question the message answers.
 */
export const ownedAnswerStep: RouteStep = (ctx, next) => {
  const conv = current(ctx);
  if (!conv.assignee && !conv.flowState?.handoff) return next();
  const act = activate(ctx);
  const asking = askingRun(act.state);
  if (!asking) return next();
  const step = parkedStep(act, asking);
  const takes = step !== null && (('ask' in step && step.ask.whileHandedOff === 'answer') || 'csat' in step);
  if (takes) {
    deliverAnswer(act, asking, ctx.envelope.text, () => false);
    commit(act);
    return stop(ctx, 'a flow took the answer to its question while a person owns the conversation');
  }
  const question = step && 'ask' in step ? ` (${step.ask.var})` : '';
  ctx.replies.push({
    text: `The customer's message above answers the question of flow "${asking.flow}"${question}. The flow stopped waiting because a person owns this conversation: please reply yourself.`,
    author: 'system',
    internal: true,
  });
  endRun(act, asking, 'handed-off');
  commit(act);
  return next();
};

/** A customer message ends the follow-ups that wait with `cancelOnReply` (the customer is back; no chasing). */
export const replyCancelsStep: RouteStep = tap((ctx) => {
  const act = activate(ctx);
  for (const run of act.state.runs) {
    if (run.parked.kind === 'wait' && run.parked.cancelOnReply) endRun(act, run, 'cancelled');
  }
  commit(act);
});

/** Sets the contact's language from their message when it is clear and a template speaks it. */
export const languageStep: RouteStep = tap((ctx) => {
  if (currentContact(ctx).language !== null) return;
  const detected = detectLanguage(ctx.envelope.text, engineOf(ctx.settings).languages);
  if (detected && detected !== ctx.settings.business.language) ctx.contactPatch.language = detected;
});

/** The flows' routing steps, by name, for src/decide/route-steps.ts. */
export const flowSteps: FlowSteps = {
  language: languageStep,
  replyCancels: replyCancelsStep,
  ownedAnswer: ownedAnswerStep,
  run: flowStep,
};

/**
 * Whether the flows answer this message outside opening hours: it answers a
 * flow's question, or starts a flow that runs at any hour (`afterHours: run`,
 * the default). The fallback flow does not count: the after-hours reply says more.
 */
export function flowAnswersAtAnyHour(ctx: RouteContext): boolean {
  const act = activate(ctx);
  if (askingRun(act.state)) return true;
  const flow = matchFlow(ctx.settings.flows, matchInput(ctx), { fallback: false });
  return flow !== null && flow.afterHours === 'run';
}
