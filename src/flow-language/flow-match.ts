import type { Visibility } from '../model/types.ts';
import type { FlowDef } from '../settings/flow-schema.ts';

export interface MatchInput {
  intent: string | null;
  text: string;
  touchpointKind: string;
  visibility: Visibility;
  firstMessage: boolean;
}

/** Whether a message starts this flow by its trigger (intent, keyword, first message), touchpoint rules and `unless` included. */
export function triggers(flow: FlowDef, input: MatchInput): boolean {
  const t = flow.trigger;
  if (t.touchpoints.length > 0 && !t.touchpoints.includes(input.touchpointKind)) return false;
  if (t.visibility !== 'any' && t.visibility !== input.visibility) return false;
  const lower = input.text.toLowerCase();
  if (input.intent !== null && t.unless.intents.includes(input.intent)) return false;
  if (t.unless.keywords.some((k) => lower.includes(k.toLowerCase()))) return false;
  const byIntent = input.intent !== null && t.intents.includes(input.intent);
  const byKeyword = t.keywords.some((k) => lower.includes(k.toLowerCase()));
  const byFirst = t.firstMessage && input.firstMessage;
  return byIntent || byKeyword || byFirst;
}

/**
 * The flow to run for a message: the matching flow of highest priority; when
 * none matches and `fallback` is allowed, the fallback flow (if it may run on
 * this touchpoint).
 */
export function matchFlow(
  flows: FlowDef[],
  input: MatchInput,
  opts: { fallback: boolean } = { fallback: true },
): FlowDef | null {
  let best: FlowDef | null = null;
  for (const f of flows) if (triggers(f, input) && (!best || f.priority > best.priority)) best = f;
  if (best || !opts.fallback) return best;
  const fallback = flows.find((f) => f.trigger.fallback);
  if (!fallback) return null;
  const t = fallback.trigger;
  const allowed =
    (t.touchpoints.length === 0 || t.touchpoints.includes(input.touchpointKind)) &&
    (t.visibility === 'any' || t.visibility === input.visibility);
  return allowed ? fallback : null;
}

/** Flows that listen to a business event, highest priority first. */
export function flowsForEvent(flows: FlowDef[], type: string): FlowDef[] {
  return flows.filter((f) => f.trigger.events.includes(type)).sort((a, b) => b.priority - a.priority);
}
