import type { AskStep, Choice } from '../settings/flow-schema.ts';
import { compilePattern } from '../text/pattern.ts';
import { type DateReading, dateNumbers, parseDate, parseTime } from './answer-dates.ts';
import { readNumber } from './answer-numbers.ts';
import type { VarValue } from './flow-state.ts';

/** Reading a customer's answer to an `ask` step: a choice, a yes/no, a number, an email … or not valid. */

export type ParsedAnswer = { ok: true; value: VarValue } | { ok: false };

const YES: Choice = {
  value: 'yes',
  label: 'Yes',
  keywords: [
    'yes',
    'y',
    'yeah',
    'yep',
    'yup',
    'sure',
    'ok',
    'okay',
    'of course',
    'definitely',
    'absolutely',
    'ja',
    'oui',
    'si',
    'sí',
  ],
};
const NO: Choice = {
  value: 'no',
  label: 'No',
  keywords: ['no', 'n', 'nope', 'nah', 'not really', 'not at all', 'no thanks', 'nein', 'non'],
};

/** The options an ask offers, normalised (a yes/no question offers Yes and No unless it names its own). */
export function choicesOf(step: Pick<AskStep, 'choices' | 'expect'>): Choice[] {
  if (step.choices) return step.choices.map((c) => (typeof c === 'string' ? { value: c, keywords: [] } : c));
  return step.expect === 'yes_no' ? [YES, NO] : [];
}

export const labelOf = (c: Choice): string => c.label ?? c.value;

/** The question's options as numbered lines, and as a part channels with buttons can render. */
export function renderChoices(choices: Choice[]): { text: string; parts: unknown[] } {
  const text = choices.map((c, i) => `${i + 1}. ${labelOf(c)}`).join('\n');
  // `list` lets a channel with buttons show the question without the numbered lines.
  return {
    text,
    parts: [{ type: 'choices', options: choices.map((c) => ({ value: c.value, label: labelOf(c) })), list: text }],
  };
}

const normalise = (s: string): string =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

const hasWords = (text: string, phrase: string): boolean => {
  const p = normalise(phrase);
  return p.length > 0 && ` ${text} `.includes(` ${p} `);
};

/** The choice an answer picks: its number, its value or label, or the one choice whose words it has. */
export function pickChoice(choices: Choice[], text: string): Choice | null {
  const t = normalise(text);
  const n = /^(\d{1,2})$/.exec(t);
  if (n) return choices[Number(n[1]) - 1] ?? null;
  const exact = choices.find((c) => normalise(c.value) === t || normalise(labelOf(c)) === t);
  if (exact) return exact;
  const hits = choices.filter((c) => [c.value, labelOf(c), ...c.keywords].some((k) => hasWords(t, k)));
  return hits.length === 1 ? (hits[0] as Choice) : null;
}

function byType(step: AskStep, text: string, now: number, reading: DateReading): ParsedAnswer {
  const t = text.trim();
  switch (step.expect) {
    case 'number': {
      // "for 20 on the 19th": the 19 is the date's
      const dates = dateNumbers(t, now, reading);
      const n = readNumber(t, (c) =>
        dates.some((d) => c.index >= d.start && c.index < d.end && d.numbers.includes(c.value)),
      );
      return n ? { ok: true, value: n.value } : { ok: false };
    }
    case 'email': {
      // starts only where a word starts, and each run is bounded: linear in the text
      const m = /(?<![^\s@<>(),;:])[^\s@<>(),;:]{1,64}@[^\s@<>(),;:]{1,253}\.[a-z]{2,63}/i.exec(t);
      return m ? { ok: true, value: m[0].toLowerCase() } : { ok: false };
    }
    case 'phone': {
      const m = /\+?\d[\d\s().-]{5,30}\d/.exec(t);
      const digits = m ? m[0].replace(/[^\d+]/g, '') : '';
      return digits.replace('+', '').length >= 7 ? { ok: true, value: digits } : { ok: false };
    }
    case 'date': {
      const date = parseDate(t, now, reading);
      return date ? { ok: true, value: date } : { ok: false };
    }
    case 'time': {
      const time = parseTime(t, now, reading);
      return time ? { ok: true, value: time } : { ok: false };
    }
    default:
      return t.length > 0 ? { ok: true, value: t.slice(0, 2_000) } : { ok: false };
  }
}

/** Reads an answer; a `pattern` keeps only the part of the text it matches (an order number in a sentence). */
export function parseAnswer(step: AskStep, text: string, now: number, reading: DateReading): ParsedAnswer {
  const choices = choicesOf(step);
  if (choices.length > 0) {
    const choice = pickChoice(choices, text);
    return choice ? { ok: true, value: choice.value } : { ok: false };
  }
  if (step.pattern !== undefined) {
    const m = compilePattern(step.pattern).first(text);
    if (m === null) return { ok: false };
    return byType(step, m, now, reading);
  }
  return byType(step, text, now, reading);
}
