import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { parseDuration } from '../settings/schema.ts';
import { currentContact } from './context.ts';
import { type Activation, continueAfter, endRun, touchRun } from './flow-runner.ts';
import type { VerifyStep } from './flow-schema.ts';
import type { FlowRun, Parked } from './flow-state.ts';
import { replyLanguage, say, templateVars } from './flow-vars.ts';
import type { AnswerVerdict } from './step-ask.ts';
import { renderTemplate } from './templates.ts';

/**
 * `verify`: proves the customer owns a channel already on file before
 * account-specific answers. A one-time code goes to the contact's
 * conversation on one of the `via` channels (never this one) and the customer
 * types it here. Sets {verified} (true/false) and {verify.result}: verified,
 * failed, expired or unavailable (no other channel on file).
 *
 * Minimal for now: "on file" means a private conversation this contact
 * already has on that channel (see rememberConversation); opening a new
 * thread to an address needs adapters to start outbound threads.
 */

export const VERIFY_CODE_TIMER = 'flow.verify-code';

const hash = (runId: string, code: string): string => createHash('sha256').update(`${runId}:${code}`).digest('hex');

/** The contact's private conversations by channel, recorded when each was opened. */
export function conversationsOnFile(attributes: Record<string, unknown>): Record<string, string> {
  const map = attributes._conversations;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return {};
  return Object.fromEntries(Object.entries(map).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function result(run: FlowRun, verified: boolean, outcome: string): void {
  run.vars.verified = verified;
  run.vars['verify.result'] = outcome;
}

export function verifyStep(act: Activation, run: FlowRun, step: VerifyStep): 'next' | { park: Parked } {
  const { ctx } = act;
  if (act.state.verified) {
    result(run, true, 'verified');
    return 'next';
  }
  const onFile = conversationsOnFile(currentContact(ctx).attributes);
  const via = step.via.find((channel) => onFile[channel] && onFile[channel] !== ctx.conversation.id);
  const target = via ? onFile[via] : undefined;
  if (!via || !target) {
    result(run, false, 'unavailable');
    return 'next';
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const rendered = renderTemplate(ctx.settings.templates, step.code, {
    channel: via,
    language: replyLanguage(ctx),
    vars: { ...templateVars(ctx, run.vars), code },
  });
  ctx.timers.push({
    kind: VERIFY_CODE_TIMER,
    conversationId: target,
    dueAt: ctx.now,
    payload: { text: rendered.text, ...(rendered.subject ? { subject: rendered.subject } : {}) },
  });
  run.vars['verify.channel'] = via;
  say(ctx, step.prompt, run.vars);
  return {
    park: { kind: 'verify', until: ctx.now + parseDuration(step.expires), tries: 0, codeHash: hash(run.id, code), via },
  };
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
    result(run, true, 'verified');
    continueAfter(act, run);
    return 'consumed';
  }
  if (digits.length === 0 && interrupt()) {
    endRun(act, run, 'cancelled');
    return 'interrupted';
  }
  const tries = (run.parked.tries ?? 0) + 1;
  if (tries > step.retries) {
    result(run, false, 'failed');
    continueAfter(act, run);
    return 'consumed';
  }
  run.parked = { ...run.parked, tries };
  touchRun(act, run);
  say(act.ctx, step.invalid ?? step.prompt, run.vars);
  return 'consumed';
}

export function verifyExpired(act: Activation, run: FlowRun): void {
  result(run, false, 'expired');
  continueAfter(act, run);
}
