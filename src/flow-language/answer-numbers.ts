/**
 * Numbers customers type: digits ("12", "2,5") or English words ("twenty",
 * "twenty-five", "a dozen", "two dozen", "a hundred and twenty"). Returns the
 * first number in the text, with where it was found.
 */

const UNITS: Record<string, number> = {
  zero: 0,
  one: 1,
  a: 1,
  an: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALES: Record<string, number> = { dozen: 12, score: 20, hundred: 100, thousand: 1000 };

export interface NumberReading {
  value: number;
  index: number;
  text: string;
}

const DIGITS_ALL = /(?<![\w.,])-?\d{1,9}(?:[.,]\d{1,6})?(?![\w])/g;
const WORD = /[a-z]+/g;

/** Reads a run of number words starting at word `i`; returns the value and how many words it used. */
function wordsAt(words: string[], i: number): { value: number; used: number } | null {
  let total = 0;
  let current = 0;
  let used = 0;
  let any = false;
  for (let j = i; j < words.length && j < i + 8; j++) {
    const w = words[j] as string;
    if (w === 'and' && any) continue;
    if (w === 'half' && words[j + 1] === 'a' && words[j + 2] === 'dozen') {
      current += 6;
      used = j + 3 - i;
      any = true;
      j += 2;
      continue;
    }
    if (w in UNITS && !((w === 'a' || w === 'an') && !((words[j + 1] ?? '') in SCALES))) {
      if (current % 10 !== 0 || (current > 0 && current < 20 && w !== 'a')) break;
      current += UNITS[w] as number;
    } else if (w in TENS) {
      if (current % 100 !== 0) break;
      current += TENS[w] as number;
    } else if (w in SCALES && any) {
      const scale = SCALES[w] as number;
      if (scale >= 100) {
        total += (current || 1) * scale;
        current = 0;
      } else current = (current || 1) * scale;
    } else break;
    any = true;
    used = j + 1 - i;
  }
  if (!any || used === 0) return null;
  // "a" alone is not a number
  if (used === 1 && (words[i] === 'a' || words[i] === 'an')) return null;
  return { value: total + current, used };
}

/** Every number in the text, in order: digits and runs of number words. */
function candidates(text: string): NumberReading[] {
  const lower = text.slice(0, 2_000).toLowerCase();
  const out: NumberReading[] = [];
  for (const m of lower.matchAll(DIGITS_ALL))
    out.push({
      value: Number(m[0].replace(',', '.')),
      index: m.index,
      text: text.slice(m.index, m.index + m[0].length),
    });
  const tokens = [...lower.matchAll(WORD)];
  const words = tokens.map((m) => m[0]);
  for (let i = 0; i < words.length; i++) {
    const hit = wordsAt(words, i);
    if (!hit) continue;
    const first = tokens[i] as RegExpExecArray;
    const last = tokens[i + hit.used - 1] as RegExpExecArray;
    out.push({ value: hit.value, index: first.index, text: text.slice(first.index, last.index + last[0].length) });
    i += hit.used - 1;
  }
  return out.sort((a, b) => a.index - b.index);
}

/** The first number in the text that `skip` does not rule out (a day of a date, say). */
export function readNumber(text: string, skip: (n: NumberReading) => boolean = () => false): NumberReading | null {
  return candidates(text).find((n) => !skip(n)) ?? null;
}
