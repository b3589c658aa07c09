import { current, currentContact, type DecisionContext } from '../decide/context.ts';
import type { AnswerType } from '../settings/flow-schema.ts';
import type { DateReading } from './answer-dates.ts';
import { businessDaysUntil, type Clock, dayOf, isOpenOn, todayOf } from './date-values.ts';
import { engineOf } from './engine-of.ts';
import type { Vars, VarValue } from './flow-state.ts';
import { flattenInto, replyLanguage, timeFormatOf } from './flow-vars.ts';

/**
 * Where answers are kept, with what a date answer implies: `{date.date}`
 * (readable), `{date.daysAway}`, `{date.businessDaysAway}` (opening days from
 * today until then) and `{date.open}` (the business opens that day).
 */

/** The timezone "tomorrow" means to this customer: theirs when known, else the business's. */
export function customerTimeZone(ctx: DecisionContext): string {
  return currentContact(ctx).timezone ?? ctx.settings.business.timezone;
}

export function readingOf(ctx: DecisionContext): DateReading {
  return { timeZone: customerTimeZone(ctx), language: replyLanguage(ctx) };
}

export function clockOf(ctx: DecisionContext): Clock {
  return {
    now: ctx.now,
    timeZone: customerTimeZone(ctx),
    calendar: engineOf(ctx.settings).calendar,
    channel: current(ctx).touchpoint.channel,
  };
}

export function storeAnswer(ctx: DecisionContext, vars: Vars, name: string, value: VarValue, type: AnswerType): void {
  flattenInto(vars, value, name, timeFormatOf(ctx));
  if (type !== 'date' || typeof value !== 'string') return;
  const clock = clockOf(ctx);
  const day = dayOf(value);
  vars[`${name}.daysAway`] = day - todayOf(clock);
  vars[`${name}.businessDaysAway`] = businessDaysUntil(clock, day);
  vars[`${name}.open`] = isOpenOn(clock, day);
}
