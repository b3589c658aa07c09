import type { TriageSettings } from '../settings/policy-schema.ts';

/**
 * Sentiment behind one small interface, so a library or a remote model can
 * replace the default: a word list from triage.yaml (AFINN-style scores from
 * -5 to 5), with a negator just before a word ("not good") flipping its sign.
 */
export interface SentimentAnalyzer {
  /** The sum of the scores of the words found: below 0 is negative. */
  score(text: string): number;
}

const TOKEN = /[\p{L}\p{N}']+/gu;

export function createWordListSentiment(settings: TriageSettings['sentiment']): SentimentAnalyzer {
  const single = new Map<string, number>();
  const phrases: Array<{ words: string[]; score: number }> = [];
  for (const [entry, score] of Object.entries(settings?.words ?? {})) {
    const words = entry.toLowerCase().match(TOKEN) ?? [];
    if (words.length === 1 && words[0]) single.set(words[0], score);
    else if (words.length > 1) phrases.push({ words, score });
  }
  phrases.sort((a, b) => b.words.length - a.words.length);
  const negators = new Set((settings?.negators ?? []).map((n) => n.toLowerCase().replace('’', "'")));

  return {
    score(text) {
      const tokens = text.toLowerCase().replace(/’/g, "'").match(TOKEN) ?? [];
      let total = 0;
      for (let i = 0; i < tokens.length; ) {
        const phrase = phrases.find((p) => p.words.every((w, j) => tokens[i + j] === w));
        const length = phrase ? phrase.words.length : 1;
        const value = phrase ? phrase.score : (single.get(tokens[i] ?? '') ?? 0);
        const negated = negators.has(tokens[i - 1] ?? '') || negators.has(tokens[i - 2] ?? '');
        total += negated ? -value : value;
        i += length;
      }
      return total;
    },
  };
}
