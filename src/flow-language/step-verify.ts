import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { parseDuration } from '../duration.ts';
import type { Conversation } from '../model/types.ts';
import { renderTemplate } from '../outbound/templates.ts';
import type { VerifyStep } from '../settings/flow-schema.ts';
import type { FlowRun, Parked } from './flow-state.ts';
import { replyLanguage, say, templateVars } from './flow-vars.ts';
import { type Activation, endRun, parkRun, touchRun } from './run-control.ts';
import type { AnswerVerdict } from './step-ask.ts';
import type { GivenReach } from './verify-reach.ts';

/**
 * `verify`: proves the customer owns a channel already on file before
 * account-specific answers. A one-time code goes to the contact's
 * conversation on one of the `via` channels (never this one) and the customer
 * types it here. Sets {verified} (true/false) and {verify.result}: verified,
 * failed, expired or unavailable (no other channel on file).
 *
 * "On file" means a private conversation this contact already has on that
 * channel, not closed; opening a new thread to an address needs adapters to
 * start outbound threads. Finding those conversations is a store query, so the
 * step parks first and the `flow.verify` timer, due at once, sends the code.
 *
 * With `to` (an address the customer gave, `{email}`), the code goes to that
 * address instead, and once answered the address joins the contact as a
 * verified identity (a suggestion when another contact has it).
 */

export const VERIFY_CODE_TIMER = 'flow.verify-code';

const hash = (runId: string, code: string): string => createHash('sha256').update(`${runId}:${code}`).digest('hex');

function result(run: FlowRun, verified: boolean, outcome: string): void {
  run.vars.verified = verified;
  run.vars['verify.result'] = outcome;
}

export function verifyStep(act: Activation, run: FlowRun, step: VerifyStep): 'next' | { park: Parked } {
  const { ctx } = act;
  // an address the customer just gave is proven on its own, whatever was verified before
  if (act.state.verified && !step.to) {
    result(run, true, 'verified');
    return 'next';
  }
  return { park: { kind: 'verify', until: ctx.now, tries: 0 } };
}

/**
 * The `flow.verify` timer fired: sends the code to the first `via` channel the
 * contact has a conversation on (their most recently active one there), or
 * goes on with {verify.result} unavailable.
 */
export function sendVerifyCode(
  act: Activation,
  run: FlowRun,
  step: VerifyStep,
  theirs: Conversation[],
  given?: GivenReach | null,
): void {
  const { ctx } = act;
  const elsewhere = theirs.filter((c) => c.id !== ctx.conversation.id);
  const via = step.to
    ? given?.channel
    : step.via.find((channel) => elsewhere.some((c) => c.touchpoint.channel === channel));
  const target = step.to ? given?.conversation : elsewhere.find((c) => c.touchpoint.channel === via);
  if (!via || !target) {
    result(run, false, 'unavailable');
    act.interpreter.continueAfter(run);
    return;
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const rendered = renderTemplate(ctx.settings.templates, step.code, {
    channel: via,
    language: replyLanguage(ctx),
    vars: { ...templateVars(ctx, run.vars), code },
  });
  ctx.timers.push({
    kind: VERIFY_CODE_TIMER,
    conversationId: target.id,
    dueAt: ctx.now,
    payload: { text: rendered.text, ...(rendered.subject ? { subject: rendered.subject } : {}) },
  });
  run.vars['verify.channel'] = via;
  say(ctx, step.prompt, run.vars);
  parkRun(act, run, {
    kind: 'verify',
    until: ctx.now + parseDuration(step.expires),
    tries: 0,
    codeHash: hash(run.id, code),
    via,
    ...(given ? { address: given.address } : {}),
  });
}

export function answerVerify(
  act: Activation,
  run: FlowRun,
  step: VerifyStep,
  text: string,
  interrupt: () => boolean,
): AnswerVerdict {
  const digits = text.replace(/\D/g, '');
  const expected = Buffer.from(run.parked.codeHash ?? '', 'hex');
  const given = Buffer.from(hash(run.id, digits), 'hex');
  if (digits.length === 6 && expected.length === given.length && timingSafeEqual(expected, given)) {
    act.state.verified = { at: act.ctx.now, via: run.parked.via ?? 'unknown' };
    if (run.parked.address) act.ctx.proven.push(run.parked.address);
    result(run, true, 'verified');
    act.interpreter.continueAfter(run);
    return 'consumed';
  }
  if (digits.length === 0 && interrupt()) {
    endRun(act, run, 'cancelled');
    return 'interrupted';
  }
  const tries = (run.parked.tries ?? 0) + 1;
  if (tries > step.retries) {
    result(run, false, 'failed');
    act.interpreter.continueAfter(run);
    return 'consumed';
  }
  run.parked = { ...run.parked, tries };
  touchRun(act, run);
  say(act.ctx, step.invalid ?? step.prompt, run.vars);
  return 'consumed';
}

export function verifyExpired(act: Activation, run: FlowRun): void {
  result(run, false, 'expired');
  act.interpreter.continueAfter(run);
}
