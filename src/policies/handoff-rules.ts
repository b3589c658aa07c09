import type { Conversation } from '../model/types.ts';
import { type HandoffReason, type HandoffRule, type HandoffSettings, handoffRule } from '../settings/policy-schema.ts';
import type { PolicyKit } from './kit.ts';

/** Public-to-private rules (handoff.yaml): which rule covers a touchpoint, and why a message should move. */

export const MOVING_TAG = 'moving-private';
export const MOVED_TAG = 'moved-to-private';
export const MOVED_FROM_TAG = 'moved-from-public';
export const INVITED_TAG = 'invited-to-dm';

export function movedTo(conversation: Conversation): string | null {
  return conversation.links.find((l) => l.rel === 'moved-to')?.conversationId ?? null;
}

export function isMovedOrMoving(conversation: Conversation): boolean {
  return movedTo(conversation) !== null || conversation.tags.includes(MOVING_TAG);
}

export function ruleFor(settings: HandoffSettings, touchpointKind: string): HandoffRule | null {
  return settings.rules.find((r) => r.touchpoints.includes(touchpointKind)) ?? null;
}

/** The rule for a move an agent or a flow asked for: the touchpoint's own, else the defaults. */
export function ruleOrDefault(settings: HandoffSettings, touchpointKind: string): HandoffRule {
  return ruleFor(settings, touchpointKind) ?? handoffRule.parse({ touchpoints: [touchpointKind] });
}

/** Why this public message should move to a private conversation under `rule`; empty when it should not. */
export function handoffReasons(
  kit: PolicyKit,
  rule: HandoffRule,
  input: { text: string; intent: string | null },
): HandoffReason[] {
  const h = kit.policies.handoff;
  const found: Record<HandoffReason, () => boolean> = {
    complaint: () => input.intent !== null && h.complaintIntents.includes(input.intent),
    negative: () => kit.sentiment.score(input.text) <= h.negativeAtOrBelow,
    personalData: () => kit.detector.find(input.text).length > 0 || kit.asksForPersonalData.matches(input.text),
  };
  return rule.when.filter((reason) => found[reason]());
}
