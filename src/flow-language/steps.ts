import { current, currentContact, type DecisionContext } from '../decide/context.ts';
import type { Contact } from '../model/types.ts';
import { fill } from '../outbound/templates.ts';
import type { SetStep } from '../settings/flow-schema.ts';
import type { LeafStep, StepKind } from './flow-program.ts';
import type { FlowRun, Parked } from './flow-state.ts';
import { say, templateVars } from './flow-vars.ts';
import type { Activation } from './run-control.ts';
import { askStep, csatStep } from './step-ask.ts';
import { handoff } from './step-handoff.ts';
import { knowledgeStep } from './step-knowledge.ts';
import { verifyStep } from './step-verify.ts';
import { waitStep } from './step-wait.ts';

/** What a step tells the interpreter: go on, end the flow, park the run, or continue in another flow. */
export type StepResult = 'next' | 'end' | { park: Parked } | { start: string };

export function execStep(act: Activation, run: FlowRun, step: LeafStep, kind: StepKind): StepResult {
  const { ctx } = act;
  if ('say' in step) {
    say(ctx, step.say, run.vars);
    return 'next';
  }
  if ('ask' in step) return askStep(act, run, step.ask);
  if ('wait' in step) return waitStep(act, run, step.wait);
  if ('set' in step) {
    applySet(ctx, run, step.set);
    return 'next';
  }
  if ('handoff' in step) {
    handoff(act, run, step.handoff);
    return 'next';
  }
  if ('private' in step) {
    moveToPrivate(ctx, run, step.private);
    return 'next';
  }
  if ('verify' in step) return verifyStep(act, run, step.verify);
  if ('csat' in step) return csatStep(act, run, step.csat);
  if ('lookup' in step) return { park: { kind: 'lookup', until: ctx.now, attempt: 0 } };
  if ('knowledge' in step) return knowledgeStep(act, run, step.knowledge);
  if ('start' in step) return { start: step.start };
  if (kind === 'end') return 'end';
  throw new Error(`step kind ${kind} has no implementation`);
}

const addTags = (ctx: DecisionContext, tags: string[]) => {
  ctx.patch.tags = [...new Set([...current(ctx).tags, ...tags])];
};

function applySet(ctx: DecisionContext, run: FlowRun, set: SetStep): void {
  if (set.category !== undefined) ctx.patch.category = set.category;
  if (set.priority !== undefined) ctx.patch.priority = set.priority;
  if (set.status !== undefined) ctx.patch.status = set.status;
  if (set.tags) addTags(ctx, set.tags);
  if (set.untag) {
    const drop = new Set(set.untag);
    ctx.patch.tags = current(ctx).tags.filter((t) => !drop.has(t));
  }
  if (set.vars) {
    for (const [name, text] of Object.entries(set.vars)) run.vars[name] = fill(text, templateVars(ctx, run.vars));
  }
  if (set.contact) setContact(ctx, run, set.contact);
}

function setContact(ctx: DecisionContext, run: FlowRun, values: Record<string, unknown>): void {
  const contact = currentContact(ctx);
  const attributes: Contact['attributes'] = { ...contact.attributes };
  for (const [key, raw] of Object.entries(values)) {
    const value = typeof raw === 'string' ? fill(raw, templateVars(ctx, run.vars)) : raw;
    if (key === 'language')
      ctx.contactPatch.language = value === null || value === '' ? null : String(value).toLowerCase();
    else if (key === 'name') ctx.contactPatch.name = value === null || value === '' ? null : String(value);
    else if (key === 'vip') ctx.contactPatch.vip = value === true || value === 'true';
    else attributes[key] = value;
  }
  ctx.contactPatch.attributes = attributes;
}

/**
 * On a public touchpoint (a comment), asks the public-to-private rules to
 * continue privately: they act on `move-to-private` after the decision (the
 * template, if given, is their public reply). Nothing happens on a private
 * touchpoint, so one flow serves both.
 */
function moveToPrivate(
  ctx: DecisionContext,
  run: FlowRun,
  p: { template?: string | undefined; reason?: string | undefined },
): void {
  if (current(ctx).touchpoint.visibility !== 'public') return;
  const data = {
    reason: p.reason ?? `flow ${run.flow}`,
    flow: run.flow,
    ...(p.template ? { template: p.template } : {}),
  };
  ctx.events.push({ type: 'move-to-private', data });
}
