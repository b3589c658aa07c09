import type { BusinessCalendar } from '../calendar/calendar.ts';
import { current, currentContact, type DecisionContext } from '../decide/context.ts';
import type { Condition, Expected, Scalar } from '../settings/condition-schema.ts';
import { compilePattern } from '../text/pattern.ts';
import { type Clock, dateTestHolds } from './date-values.ts';
import type { Vars } from './flow-state.ts';

export interface ConditionFacts {
  ctx: DecisionContext;
  vars: Vars;
  calendar: BusinessCalendar;
  verified: boolean;
}

const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);
const isSet = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

function equal(expected: Scalar, actual: unknown): boolean {
  if (expected === null) return !isSet(actual);
  if (actual === undefined || actual === null) return false;
  if (typeof expected === 'number') return Number(actual) === expected;
  return String(expected).trim().toLowerCase() === String(actual).trim().toLowerCase();
}

/** Whether `actual` is what a condition expects: a value, one of a list, or a test. */
export function matchesExpected(expected: Expected, actual: unknown, clock: Clock): boolean {
  if (Array.isArray(expected)) return expected.some((e) => equal(e, actual));
  if (expected === null || typeof expected !== 'object') return equal(expected, actual);
  if (expected.exists !== undefined && isSet(actual) !== expected.exists) return false;
  if (expected.matches !== undefined && !(isSet(actual) && compilePattern(expected.matches).test(String(actual))))
    return false;
  const n = Number(actual);
  if (expected.above !== undefined && !(isSet(actual) && n > expected.above)) return false;
  if (expected.below !== undefined && !(isSet(actual) && n < expected.below)) return false;
  return dateTestHolds(expected, actual, clock);
}

function contactValue(ctx: DecisionContext, key: string): unknown {
  const contact = currentContact(ctx);
  if (Object.hasOwn(contact.attributes, key)) return contact.attributes[key];
  if (key === 'name' || key === 'language' || key === 'vip' || key === 'timezone') return contact[key];
  return undefined;
}

/** Whether every key of the condition holds. */
export function holds(c: Condition, facts: ConditionFacts): boolean {
  const { ctx } = facts;
  const conv = current(ctx);
  const contact = currentContact(ctx);
  if (c.intent !== undefined) {
    const intent = ctx.classification?.intent ?? conv.intent;
    if (intent === null || !list(c.intent).includes(intent)) return false;
  }
  if (c.touchpoint !== undefined && !list(c.touchpoint).includes(conv.touchpoint.kind)) return false;
  if (c.channel !== undefined && !list(c.channel).includes(conv.touchpoint.channel)) return false;
  if (c.visibility !== undefined && conv.touchpoint.visibility !== c.visibility) return false;
  if (c.open !== undefined && facts.calendar.isOpen(ctx.now, conv.touchpoint.channel) !== c.open) return false;
  if (c.verified !== undefined && facts.verified !== c.verified) return false;
  if (c.vip !== undefined && contact.vip !== c.vip) return false;
  if (c.language !== undefined) {
    const lang = contact.language ?? ctx.settings.business.language;
    if (!list(c.language).some((l) => l.toLowerCase() === lang.toLowerCase())) return false;
  }
  const clock: Clock = {
    now: ctx.now,
    timeZone: contact.timezone ?? ctx.settings.business.timezone,
    calendar: facts.calendar,
    channel: conv.touchpoint.channel,
  };
  for (const [name, expected] of Object.entries(c.vars ?? {})) {
    if (!matchesExpected(expected, facts.vars[name], clock)) return false;
  }
  for (const [name, expected] of Object.entries(c.contact ?? {})) {
    if (!matchesExpected(expected, contactValue(ctx, name), clock)) return false;
  }
  if (c.all && !c.all.every((x) => holds(x, facts))) return false;
  if (c.any && !c.any.some((x) => holds(x, facts))) return false;
  if (c.not && holds(c.not, facts)) return false;
  return true;
}
