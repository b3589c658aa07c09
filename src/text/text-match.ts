import { compilePattern } from './pattern.ts';

/**
 * Keywords and patterns from config, compiled once: keywords match whole
 * words or phrases case-insensitively, patterns are case-insensitive regular
 * expressions run in linear time (checked when the config loads; see text/pattern.ts).
 */
export interface TextMatcher {
  /** How many keywords and patterns match; 0 when none. */
  score(text: string): number;
  matches(text: string): boolean;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function wordPattern(word: string): RegExp {
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(word.toLowerCase())}($|[^\\p{L}\\p{N}])`, 'u');
}

export function createTextMatcher(def: { keywords: string[]; patterns: string[] }): TextMatcher {
  const keywords = def.keywords.map(wordPattern);
  const patterns = def.patterns.map(compilePattern);
  const score = (text: string) => {
    const lower = text.toLowerCase();
    return keywords.filter((re) => re.test(lower)).length + patterns.filter((re) => re.test(text)).length;
  };
  return { score, matches: (text) => score(text) > 0 };
}
