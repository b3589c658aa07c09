import { TouchpointError } from '../errors.ts';
import { isTimeZone, localAt } from './zone.ts';

/**
 * "When do we open next", said to a customer in their own timezone when we
 * know it (else the business's) and their language: "today at 14:00",
 * "tomorrow at 8:00", "Monday at 9:00", or a date beyond the coming week.
 * A language is one entry in PHRASES; weekday and month names come from Intl.
 */

export interface OpeningFormatOptions {
  /** The business's timezone, used when the customer's is unknown or invalid. */
  businessTimeZone: string;
  /** The customer's IANA timezone, when known. */
  customerTimeZone?: string | null;
  /** BCP 47 tag such as en, en-US, de; unknown languages fall back to English. */
  language?: string | null;
}

interface Phrases {
  now: string;
  today(time: string): string;
  tomorrow(time: string): string;
  weekday(weekday: string, time: string): string;
  date(date: string, time: string): string;
}

const PHRASES: Record<string, Phrases> = {
  en: {
    now: 'now',
    today: (t) => `today at ${t}`,
    tomorrow: (t) => `tomorrow at ${t}`,
    weekday: (w, t) => `${w} at ${t}`,
    date: (d, t) => `${d} at ${t}`,
  },
  de: {
    now: 'jetzt',
    today: (t) => `heute um ${t} Uhr`,
    tomorrow: (t) => `morgen um ${t} Uhr`,
    weekday: (w, t) => `${w} um ${t} Uhr`,
    date: (d, t) => `${d} um ${t} Uhr`,
  },
  fr: {
    now: 'maintenant',
    today: (t) => `aujourd’hui à ${t}`,
    tomorrow: (t) => `demain à ${t}`,
    weekday: (w, t) => `${w} à ${t}`,
    date: (d, t) => `le ${d} à ${t}`,
  },
  es: {
    now: 'ahora',
    today: (t) => `hoy a las ${t}`,
    tomorrow: (t) => `mañana a las ${t}`,
    weekday: (w, t) => `el ${w} a las ${t}`,
    date: (d, t) => `el ${d} a las ${t}`,
  },
};

export const formatLanguages = Object.keys(PHRASES);

/** Describes `opening` (epoch ms) as seen at `now`, e.g. "tomorrow at 8:00". */
export function formatOpening(opening: number, now: number, opts: OpeningFormatOptions): string {
  if (!Number.isFinite(opening) || !Number.isFinite(now)) {
    throw new TouchpointError('invalid_argument', `instants must be epoch milliseconds, got ${opening} and ${now}`);
  }
  const timeZone =
    opts.customerTimeZone && isTimeZone(opts.customerTimeZone) ? opts.customerTimeZone : opts.businessTimeZone;
  const { tag, phrases } = languageOf(opts.language);
  if (opening <= now) return phrases.now;
  const at = localAt(timeZone, opening);
  const days = at.day - localAt(timeZone, now).day;
  const time = `${Math.floor(at.minute / 60)}:${String(at.minute % 60).padStart(2, '0')}`;
  if (days === 0) return phrases.today(time);
  if (days === 1) return phrases.tomorrow(time);
  if (days < 7)
    return phrases.weekday(new Intl.DateTimeFormat(tag, { timeZone, weekday: 'long' }).format(opening), time);
  const date = new Intl.DateTimeFormat(tag, { timeZone, weekday: 'long', day: 'numeric', month: 'long' }).format(
    opening,
  );
  return phrases.date(date, time);
}

function languageOf(language: string | null | undefined): { tag: string; phrases: Phrases } {
  const requested = (language ?? '').trim();
  const base = requested.split(/[-_]/)[0]?.toLowerCase() ?? '';
  const phrases = PHRASES[base];
  if (!phrases) return { tag: 'en', phrases: PHRASES.en as Phrases };
  let tag = base;
  try {
    tag = Intl.getCanonicalLocales(requested.replace('_', '-'))[0] ?? base;
  } catch {
    // a malformed tag keeps the base language
  }
  return { tag, phrases };
}
