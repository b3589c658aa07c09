import { formatOpening } from '../calendar/format.ts';
import { weekHours } from '../calendar/week.ts';
import { current, currentContact, type DecisionContext } from '../decide/context.ts';
import type { Contact } from '../model/types.ts';
import { fill, renderTemplate } from '../outbound/templates.ts';
import { engineOf } from './engine-of.ts';
import type { Vars, VarValue } from './flow-state.ts';

/**
 * Flow variables are flat: nested data (a business event, a lookup's JSON
 * answer) is stored under dotted names (`event.booking.startsAt`). A value
 * that is an ISO date or time also gets a readable `.time` (or `.date`)
 * variant in the business's timezone and the contact's language.
 */

const MAX_KEYS = 200;
const MAX_DEPTH = 5;
const MAX_TEXT = 2_000;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function flattenInto(out: Vars, value: unknown, prefix: string, fmt: TimeFormat | null, depth = 0): void {
  if (Object.keys(out).length >= MAX_KEYS) return;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const v: VarValue = typeof value === 'string' ? value.slice(0, MAX_TEXT) : value;
    out[prefix] = v;
    if (typeof v === 'string' && fmt) addReadableTime(out, prefix, v, fmt);
    return;
  }
  if (depth >= MAX_DEPTH) return;
  if (Array.isArray(value)) {
    if (value.every((x) => typeof x === 'string' || typeof x === 'number'))
      out[prefix] = value.join(', ').slice(0, MAX_TEXT);
    value.slice(0, 20).forEach((x, i) => {
      flattenInto(out, x, `${prefix}.${i}`, fmt, depth + 1);
    });
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (/^[\w-]+$/.test(k)) flattenInto(out, v, prefix ? `${prefix}.${k}` : k, fmt, depth + 1);
    }
  }
}

/** Plain English reads dates the British way, with a 24-hour clock ("Saturday 7 March at 11:00"); `en-US` gives the American. */
const localeOf = (language: string): string => (language.toLowerCase() === 'en' ? 'en-GB' : language);

export interface TimeFormat {
  timeZone: string;
  language: string;
}

function addReadableTime(out: Vars, key: string, text: string, fmt: TimeFormat): void {
  const isTime = ISO_TIME.test(text);
  if (!isTime && !ISO_DATE.test(text)) return;
  const at = Date.parse(isTime ? text : `${text}T12:00:00Z`);
  if (Number.isNaN(at)) return;
  try {
    const options: Intl.DateTimeFormatOptions = isTime
      ? { timeZone: fmt.timeZone, weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }
      : { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' };
    out[`${key}.${isTime ? 'time' : 'date'}`] = new Intl.DateTimeFormat(localeOf(fmt.language), options).format(at);
  } catch {
    // an unknown language tag: the raw value is still there
  }
}

export function timeFormatOf(ctx: DecisionContext): TimeFormat {
  return { timeZone: ctx.settings.business.timezone, language: replyLanguage(ctx) };
}

/** The language replies are written in: the contact's, else the business default. */
export function replyLanguage(ctx: DecisionContext): string {
  return currentContact(ctx).language ?? ctx.settings.business.language;
}

/** Everything a template may name: the contact, the business, the brand voice, contact attributes and the run's variables. */
export function templateVars(ctx: DecisionContext, vars: Vars = {}): Record<string, VarValue> {
  const contact = currentContact(ctx);
  const channel = current(ctx).touchpoint.channel;
  const base: Record<string, VarValue> = {
    name: contact.name,
    firstName: contact.name?.split(/\s+/)[0] ?? null,
    business: ctx.settings.business.name,
    channel,
  };
  // The calendar's and the clock's variables cost more than the rest of a reply together (a week of opening
  // hours, two date formatters), and few templates name them: each set is worked out when first read.
  const calendar = once(() => calendarVars(ctx, channel, contact));
  const clock = once(() => clockVars(ctx, contact));
  defineLazy(base, calendar, ['week_hours', 'opening']);
  defineLazy(base, clock, ['today', 'now']);
  const voice = ctx.settings.business.voice;
  base.greeting = fill(voice.greeting, base);
  base.signOff = fill(voice.signOff, base);
  const attrs: Vars = {};
  for (const [k, v] of Object.entries(contact.attributes)) {
    if (!k.startsWith('_')) flattenInto(attrs, v, `contact.${k}`, null);
  }
  const out: Record<string, VarValue> = { ...attrs, ...vars };
  // By name, so the lazy ones are not read here.
  for (const k of Object.keys(base)) if (!LAZY_NAMES.has(k)) out[k] = base[k] ?? null;
  defineLazy(out, calendar, ['week_hours', 'opening']);
  defineLazy(out, clock, ['today', 'now']);
  return out;
}

const LAZY_NAMES = new Set(['week_hours', 'opening', 'today', 'now']);

function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

/** Enumerable getters (a spread or JSON still sees the values), each set computed once for both objects. */
function defineLazy(
  target: Record<string, VarValue>,
  values: () => Record<string, VarValue>,
  names: readonly string[],
): void {
  for (const name of names)
    Object.defineProperty(target, name, {
      enumerable: true,
      configurable: true,
      get: () => values()[name] ?? null,
    });
}

/**
 * Renders a template for this conversation's channel and the contact's
 * language, and queues it as a reply; `append` adds lines (numbered choices).
 */
export function say(
  ctx: DecisionContext,
  templateId: string,
  vars: Vars = {},
  extra: { parts?: unknown[]; append?: string } = {},
): void {
  const conv = current(ctx);
  const rendered = renderTemplate(ctx.settings.templates, templateId, {
    channel: conv.touchpoint.channel,
    language: replyLanguage(ctx),
    vars: templateVars(ctx, vars),
  });
  ctx.replies.push({
    text: extra.append ? `${rendered.text}\n\n${extra.append}` : rendered.text,
    templateId,
    author: 'bot',
    ...(rendered.subject ? { subject: rendered.subject } : {}),
    ...(extra.parts ? { parts: extra.parts } : {}),
    ...(rendered.whatsapp ? { whatsapp: rendered.whatsapp } : {}),
  });
}

/** `{today}` ("Monday 7 December") and `{now}` ("Monday 7 December at 15:04"), in the customer's timezone and language. */
function clockVars(ctx: DecisionContext, contact: Contact): Record<string, VarValue> {
  const timeZone = contact.timezone ?? ctx.settings.business.timezone;
  const locale = localeOf(replyLanguage(ctx));
  const day: Intl.DateTimeFormatOptions = { timeZone, weekday: 'long', day: 'numeric', month: 'long' };
  try {
    return {
      today: new Intl.DateTimeFormat(locale, day).format(ctx.now),
      now: new Intl.DateTimeFormat(locale, { ...day, hour: '2-digit', minute: '2-digit' }).format(ctx.now),
    };
  } catch {
    return { today: null, now: null };
  }
}

/**
 * From the calendar: `{week_hours}`, the coming week's hours (holidays and closures
 * included), and `{opening}`, the next opening when closed now (else empty).
 */
function calendarVars(ctx: DecisionContext, channel: string, contact: Contact): Record<string, VarValue> {
  const { calendar } = engineOf(ctx.settings);
  const at = calendar.isOpen(ctx.now, channel) ? null : calendar.nextOpening(ctx.now, channel);
  const opening =
    at === null
      ? null
      : formatOpening(at, ctx.now, {
          businessTimeZone: ctx.settings.business.timezone,
          customerTimeZone: contact.timezone,
          language: contact.language ?? ctx.settings.business.language,
        });
  return { week_hours: weekHours(calendar, ctx.now, channel), opening };
}
