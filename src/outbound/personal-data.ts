/**
 * Finds personal data in text: email addresses, phone numbers, order and
 * account numbers (card numbers and IBANs among them) and postal addresses.
 * Built-in patterns cover the common shapes; a business adds its own formats
 * (order numbers like HSB-1234) and allows its own public details.
 */

import { compilePattern } from '../text/pattern.ts';

export type PersonalDataKind =
  | 'email address'
  | 'phone number'
  | 'order number'
  | 'account number'
  | 'address'
  | (string & {});

export interface Finding {
  kind: PersonalDataKind;
  text: string;
}

export interface PersonalDataDetector {
  find(text: string): Finding[];
}

/*
 * Every built-in pattern runs in time linear in the text (they see whole
 * customer messages): each either repeats only a bounded number of times, or
 * can start only where the previous character could not continue it (a
 * lookbehind), so no two starts scan the same run. An unanchored `[…]+@`
 * would rescan the rest of a long word from every one of its letters.
 */
// RFC 5321 lengths: a local part of at most 64 characters, labels of at most 63
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g;
// a run of digits with the separators people write numbers with; judged by its digit count below
const PHONE_CANDIDATE = /(?<![\w@#£$€.,])(?:\+|\b00)?\(?\d[\d\s().-]{4,22}\d(?![\w£$€])/g;
const DATE_LIKE = /^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$/;
const REFERENCE =
  /\b(order|account|acct|invoice|booking|reservation|reference|ref|customer|member(?:ship)?|tracking|policy|card)\s{0,8}(?:(?:number|no\.?|num|id|#)\s{0,8})?(?:[:#]\s{0,8})?(?=[A-Za-z0-9-]{0,63}\d)([A-Za-z0-9][A-Za-z0-9-]{0,63})/gi;
const HASH_NUMBER = /(?<![\w&])#\d{4,}\b/g;
const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b/g;
const STREET_WORDS = [
  'street',
  'st',
  'road',
  'rd',
  'avenue',
  'ave',
  'lane',
  'ln',
  'drive',
  'dr',
  'close',
  'way',
  'court',
  'ct',
  'place',
  'pl',
  'crescent',
  'terrace',
  'boulevard',
  'blvd',
  'square',
  'sq',
  'gardens',
  'grove',
  'mews',
  'parade',
  'row',
  'hill',
  'highway',
  'hwy',
  'walk',
  'park',
];
const suffixes = STREET_WORDS.flatMap((w) => [w, w[0]?.toUpperCase() + w.slice(1)]).join('|');
// a house number, one to three capitalised name words, a street word: "12 Harbour Street", "4b Mill Rd"
const STREET = new RegExp(
  `\\b\\d{1,5}[A-Za-z]?,?\\s{1,4}(?:[A-Z][A-Za-z'’-]{1,40}\\s{1,4}){1,3}(?:${suffixes})\\b\\.?`,
  'g',
);
const UK_POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b/g;
const US_ZIP_WITH_STATE = /\b[A-Z]{2} \d{5}(?:-\d{4})?\b/g;
const PO_BOX = /\bP\.? ?O\.? Box \d+/gi;

const ACCOUNT_WORDS = new Set(['account', 'acct', 'customer', 'member', 'membership', 'card', 'policy']);

const digits = (s: string) => s.replace(/\D/g, '').length;

function matches(re: RegExp, text: string): string[] {
  return [...text.matchAll(re)].map((m) => m[0]);
}

function builtIn(text: string): Finding[] {
  const out: Finding[] = [];
  for (const m of matches(EMAIL, text)) out.push({ kind: 'email address', text: m });
  for (const m of text.matchAll(REFERENCE)) {
    const token = m[2] ?? '';
    if (token.length < 4 || digits(token) < 3) continue;
    const word = (m[1] ?? '').toLowerCase();
    out.push({ kind: ACCOUNT_WORDS.has(word) ? 'account number' : 'order number', text: m[0] });
  }
  for (const m of matches(HASH_NUMBER, text)) out.push({ kind: 'order number', text: m });
  for (const m of matches(CARD, text))
    if (digits(m) >= 13 && digits(m) <= 19) out.push({ kind: 'account number', text: m });
  for (const m of matches(IBAN, text)) out.push({ kind: 'account number', text: m });
  for (const m of matches(PHONE_CANDIDATE, text)) {
    const candidate = m.trim();
    const n = digits(candidate);
    // a bare run of digits is a phone number only when long enough ("1000000 fans" is not)
    const least = /^\d+$/.test(candidate) ? 9 : 7;
    if (n >= least && n <= 15 && !DATE_LIKE.test(candidate)) out.push({ kind: 'phone number', text: candidate });
  }
  for (const re of [STREET, UK_POSTCODE, US_ZIP_WITH_STATE, PO_BOX]) {
    for (const m of matches(re, text)) out.push({ kind: 'address', text: m });
  }
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface DetectorOptions {
  patterns?: Record<string, string>;
  allow?: string[];
}

export function createPersonalDataDetector(opts: DetectorOptions = {}): PersonalDataDetector {
  const extra = Object.entries(opts.patterns ?? {}).map(([kind, source]) => ({ kind, re: compilePattern(source) }));
  const allow = (opts.allow ?? []).filter((a) => a.trim().length > 0);
  const allowed = allow.length > 0 ? new RegExp(allow.map(escapeRegExp).join('|'), 'gi') : null;
  return {
    find(text) {
      // allowed text (the business's own address) is blanked out, so nothing inside it is found
      const scanned = allowed ? text.replace(allowed, (m) => ' '.repeat(m.length)) : text;
      const found = builtIn(scanned);
      for (const { kind, re } of extra) for (const m of re.all(scanned)) found.push({ kind, text: m });
      return found;
    },
  };
}

/** "a phone number and an email address" for the kinds found, in a stable order. */
export function describeFindings(findings: Finding[]): string {
  const kinds = [...new Set(findings.map((f) => f.kind))];
  const named = kinds.map((k) => `${/^[aeiou]/i.test(k) ? 'an' : 'a'} ${k}`);
  if (named.length <= 1) return named.join('');
  return `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
}
