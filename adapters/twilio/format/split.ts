import { isGsm7 } from './segments.ts';

/**
 * Splits a long reply into at most `maxMessages` messages that each satisfy
 * `fits`, cutting after a sentence where one ends in the second half of the
 * room, else at a space, else between two characters. What does not fit in
 * the last allowed message is cut at a word and ends with an ellipsis.
 */
export function splitText(text: string, fits: (chunk: string) => boolean, maxMessages: number): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > 0 && out.length < maxMessages) {
    if (fits(rest)) {
      out.push(rest);
      break;
    }
    if (out.length === maxMessages - 1) {
      out.push(shorten(rest, fits));
      break;
    }
    const cut = breakPoint(rest, longestFit(rest, fits));
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  return out;
}

/** The text cut at a word so that it and its ellipsis fit; `...` keeps a GSM-7 text in GSM-7. */
export function shorten(text: string, fits: (chunk: string) => boolean): string {
  const room = longestFit(text, (p) => fits(`${p}...`));
  const space = lastWhitespace(text, room);
  const cut = room >= text.length || space < room / 2 ? room : space;
  const head = text
    .slice(0, cut)
    .trimEnd()
    .replace(/(?<![\s,;:\-–])[\s,;:\-–]+$/u, '');
  return `${head}${isGsm7(head) ? '...' : '…'}`;
}

/** Length (in UTF-16 units, on a character boundary) of the longest prefix that fits; at least one character. */
function longestFit(text: string, fits: (chunk: string) => boolean): number {
  const bounds: number[] = [0];
  for (const ch of text) bounds.push((bounds.at(-1) ?? 0) + ch.length);
  let lo = 1;
  let hi = bounds.length - 1;
  if (!fits(text.slice(0, bounds[1]))) return bounds[1] ?? text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(text.slice(0, bounds[mid]))) lo = mid;
    else hi = mid - 1;
  }
  return bounds[lo] ?? text.length;
}

/** Where to cut a text whose first `limit` units fit: after a late sentence, else at the last space, else at `limit`. */
function breakPoint(text: string, limit: number): number {
  let sentence = -1;
  // One character past the room, so a sentence that ends exactly at the room is seen by the lookahead.
  for (const m of text.slice(0, limit + 1).matchAll(/[.!?…]["')\]]*(?=\s)|\n/g)) {
    const end = m.index + m[0].length;
    if (end <= limit) sentence = end;
  }
  if (sentence >= limit / 2) return sentence;
  const space = lastWhitespace(text, limit);
  return space > 0 ? space : limit;
}

/** Index of the last whitespace at or before `at`, or -1. */
function lastWhitespace(text: string, at: number): number {
  for (let i = Math.min(at, text.length - 1); i > 0; i--) if (/\s/.test(text[i] ?? '')) return i;
  return -1;
}
