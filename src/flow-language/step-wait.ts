import { current } from '../decide/context.ts';
import { parseDuration } from '../duration.ts';
import { fill } from '../outbound/templates.ts';
import type { WaitStep } from '../settings/flow-schema.ts';
import { engineOf } from './engine-of.ts';
import type { FlowRun, Parked } from './flow-state.ts';
import { templateVars } from './flow-vars.ts';
import type { Activation } from './run-control.ts';

/**
 * When a `wait` step ends: after a duration (optionally counted in business
 * hours), when the business next opens, or at a time taken from a variable
 * ("{event.startsAt}", with an offset such as -24h).
 */

const signedMs = (text: string): number =>
  text.startsWith('-') ? -parseDuration(text.slice(1)) : parseDuration(text.replace(/^\+/, ''));

/** An instant from text: ISO 8601 (a date alone is midnight UTC) or epoch milliseconds. */
export function parseInstant(text: string): number | null {
  const t = text.trim();
  if (/^\d{12,14}$/.test(t)) return Number(t);
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

export function waitStep(act: Activation, run: FlowRun, wait: WaitStep): 'next' | 'end' | { park: Parked } {
  const { ctx } = act;
  const { calendar } = engineOf(ctx.settings);
  const channel = current(ctx).touchpoint.channel;
  const w = typeof wait === 'string' ? { for: wait, business: false, cancelOnReply: false, cancelOnEvents: [] } : wait;
  let due: number | null;
  if ('for' in w) {
    const ms = parseDuration(w.for);
    due = w.business ? (calendar.addBusinessMs(ctx.now, ms, channel) ?? ctx.now + ms) : ctx.now + ms;
  } else {
    const base =
      w.until === 'open'
        ? calendar.nextOpening(ctx.now, channel)
        : parseInstant(fill(w.until, templateVars(ctx, run.vars)));
    if (base === null) return 'end';
    due = base + (w.offset ? signedMs(w.offset) : 0);
    if (due <= ctx.now) return w.ifPast === 'end' ? 'end' : 'next';
  }
  if (due <= ctx.now) return 'next';
  return {
    park: {
      kind: 'wait',
      until: due,
      ...(w.cancelOnReply ? { cancelOnReply: true } : {}),
      ...(w.cancelOnEvents.length > 0 ? { cancelOnEvents: w.cancelOnEvents } : {}),
    },
  };
}
