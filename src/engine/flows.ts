import type { Visibility } from '../model/types.ts';
import { current, type RouteContext } from './context.ts';
import type { FlowDef, FlowStep } from './flow-schema.ts';
import { renderTemplate } from './templates.ts';

interface MatchInput {
  intent: string | null;
  text: string;
  touchpointKind: string;
  visibility: Visibility;
  firstMessage: boolean;
}

/** The flow to run for a message: the matching flow of highest priority, else a fallback flow. */
export function matchFlow(flows: FlowDef[], input: MatchInput): FlowDef | null {
  const lower = input.text.toLowerCase();
  const candidates = flows.filter((f) => {
    const t = f.trigger;
    if (t.touchpoints.length > 0 && !t.touchpoints.includes(input.touchpointKind)) return false;
    if (t.visibility !== 'any' && t.visibility !== input.visibility) return false;
    const byIntent = input.intent !== null && t.intents.includes(input.intent);
    const byKeyword = t.keywords.some((k) => lower.includes(k.toLowerCase()));
    const byFirst = t.firstMessage && input.firstMessage;
    return byIntent || byKeyword || byFirst;
  });
  candidates.sort((a, b) => b.priority - a.priority);
  return candidates[0] ?? flows.find((f) => isFallback(f)) ?? null;
}

function isFallback(f: FlowDef): boolean {
  return (f.trigger as { fallback?: boolean }).fallback === true;
}

/** Runs a flow's steps for this message, adding replies and changes to the context. */
export function runFlow(flow: FlowDef, ctx: RouteContext): void {
  ctx.patch.flowState = { ...(ctx.conversation.flowState ?? {}), flow: flow.id, step: 0, startedAt: ctx.now };
  for (const [index, step] of flow.steps.entries()) {
    ctx.patch.flowState = { ...ctx.patch.flowState, step: index };
    if (runStep(step, ctx) === 'end') break;
  }
}

function runStep(step: FlowStep, ctx: RouteContext): 'next' | 'end' {
  if ('say' in step) {
    const conv = current(ctx);
    const rendered = renderTemplate(ctx.settings.templates, step.say, {
      channel: conv.touchpoint.channel,
      language: ctx.contact.language,
      vars: {
        name: ctx.contact.name,
        business: ctx.settings.business.name,
        channel: conv.touchpoint.channel,
      },
    });
    ctx.replies.push({ text: rendered.text, templateId: step.say, author: 'bot', ...pickSubject(rendered.subject) });
    return 'next';
  }
  if ('set' in step) {
    if (step.set.category !== undefined) ctx.patch.category = step.set.category;
    if (step.set.priority !== undefined) ctx.patch.priority = step.set.priority;
    if (step.set.tags) ctx.patch.tags = [...new Set([...current(ctx).tags, ...step.set.tags])];
    return 'next';
  }
  if ('handoff' in step) {
    const state = current(ctx).flowState ?? {};
    ctx.patch.flowState = { ...state, handoff: { team: step.handoff.team ?? null, reason: step.handoff.reason ?? null, at: ctx.now } };
    ctx.patch.status = 'open';
    ctx.patch.tags = [...new Set([...current(ctx).tags, 'handoff'])];
    ctx.events.push({ type: 'handoff', data: { team: step.handoff.team ?? null, reason: step.handoff.reason ?? null } });
    return 'next';
  }
  return 'end';
}

const pickSubject = (subject: string | undefined) => (subject ? { subject } : {});
