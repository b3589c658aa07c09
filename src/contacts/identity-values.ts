import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { IdentityRef } from '../model/types.ts';

/**
 * The one place identity values are written the same way everywhere: phone
 * numbers as E.164 (Twilio's `whatsapp:+44…`, `+44 7700 900123` and
 * `+447700900123` are one number), email addresses trimmed and lower-cased.
 * Other kinds (Slack users, web chat visitors …) are the adapter's own ids, kept as they are.
 */

/** Identity kinds whose value is a phone number: one number on SMS, voice and WhatsApp is one person. */
export const PHONE_KINDS: readonly string[] = ['phone', 'whatsapp'];

export const isPhoneKind = (kind: string): boolean => PHONE_KINDS.includes(kind);

const PREFIXES = ['whatsapp:', 'tel:'];
const MAX_PHONE = 40;

/**
 * Parsing a number costs more than the rest of identifying a sender, and one message's number is
 * normalised several times (redelivery check, identity, consent): the last numbers seen are remembered.
 */
const remembered = new Map<string, string | null>();
const REMEMBER = 5_000;

/** `+44 7700 900123`, `whatsapp:+447700900123`, `tel:+1-415-555-0100` → E.164; null when it is not an international number. */
export function normalisePhone(raw: string): string | null {
  const known = remembered.get(raw);
  if (known !== undefined) return known;
  const value = parsePhone(raw);
  // The oldest entry goes first (a Map keeps insertion order), so the memory stays bounded.
  if (remembered.size >= REMEMBER) remembered.delete(remembered.keys().next().value as string);
  remembered.set(raw, value);
  return value;
}

function parsePhone(raw: string): string | null {
  let s = raw.trim();
  for (const p of PREFIXES) if (s.toLowerCase().startsWith(p)) s = s.slice(p.length);
  if (s.length > MAX_PHONE || !s.startsWith('+')) return null;
  const parsed = parsePhoneNumberFromString(s);
  return parsed?.isPossible() && !parsed.ext ? parsed.number : null;
}

/** A plausible address: one `@`, a local part, a dotted domain with no empty labels, no spaces. */
export function normaliseEmail(raw: string): string | null {
  const s = raw.trim().toLowerCase();
  if (s.length > 320 || /\s/.test(s)) return null;
  const at = s.indexOf('@');
  if (at <= 0 || at !== s.lastIndexOf('@')) return null;
  const labels = s.slice(at + 1).split('.');
  return labels.length >= 2 && labels.every((l) => l.length > 0) ? s : null;
}

/** The identity with its value normalised, or null when a phone or email value is malformed. */
export function normaliseIdentity<T extends IdentityRef>(ref: T): T | null {
  if (isPhoneKind(ref.kind)) {
    const value = normalisePhone(ref.value);
    return value ? { ...ref, value } : null;
  }
  if (ref.kind === 'email') {
    const value = normaliseEmail(ref.value);
    return value ? { ...ref, value } : null;
  }
  const value = ref.value.trim();
  return value ? { ...ref, value } : null;
}

export interface Mention {
  kind: 'email' | 'phone';
  value: string;
  /** As written in the text. */
  raw: string;
}

const MAX_MENTIONS = 10;
const PHONE_CHARS = /[0-9 ().-]/;
const OPENERS = '<("\'[';
const CLOSERS = '>)"\'],.;:!?';

function trimEdges(token: string): string {
  let start = 0;
  let end = token.length;
  while (start < end && OPENERS.includes(token.charAt(start))) start++;
  while (end > start && CLOSERS.includes(token.charAt(end - 1))) end--;
  return token.slice(start, end);
}

/**
 * Email addresses and international phone numbers written in a message, for
 * suggesting a merge (never for joining: anyone can type anyone's address).
 * Scans once; each candidate is bounded, so the cost stays linear in the text.
 */
export function findMentions(text: string): Mention[] {
  const out: Mention[] = [];
  const seen = new Set<string>();
  const push = (m: Mention) => {
    const key = `${m.kind}:${m.value}`;
    if (out.length < MAX_MENTIONS && !seen.has(key)) {
      seen.add(key);
      out.push(m);
    }
  };
  for (const token of text.split(/\s+/)) {
    if (!token.includes('@')) continue;
    const raw = trimEdges(token);
    const email = normaliseEmail(raw.replace(/^mailto:/i, ''));
    if (email) push({ kind: 'email', value: email, raw });
  }
  for (let i = text.indexOf('+'); i !== -1; i = text.indexOf('+', i + 1)) {
    let end = i + 1;
    while (end < text.length && end - i < MAX_PHONE && PHONE_CHARS.test(text.charAt(end))) end++;
    while (end > i + 1 && !/\d/.test(text.charAt(end - 1))) end--;
    const raw = text.slice(i, end);
    const phone = normalisePhone(raw);
    if (phone) push({ kind: 'phone', value: phone, raw });
  }
  return out;
}
