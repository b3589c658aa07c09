import type { Priority } from '../model/types.ts';
import type { IntentDef } from '../settings/schema.ts';
import { compilePattern, type TextPattern } from '../text/pattern.ts';

export interface Classification {
  intent: string | null;
  category: string | null;
  priority: Priority | null;
  /** Every intent that matched, best first. */
  matches: Array<{ intent: string; score: number }>;
}

/** One interface for every classifier, so an external one (an HTTP hook) can replace the rule-based default. */
export interface Classifier {
  classify(text: string): Classification;
}

interface CompiledIntent {
  name: string;
  def: IntentDef;
  keywords: RegExp[];
  patterns: TextPattern[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Rule-based intents from config: keywords match on word boundaries,
 * case-insensitively; patterns are regular expressions. A pattern match and a
 * longer keyword weigh more, so "opening hours" beats "open".
 */
export function createRuleClassifier(intents: Record<string, IntentDef>): Classifier {
  const compiled: CompiledIntent[] = Object.entries(intents).map(([name, def]) => ({
    name,
    def,
    keywords: def.keywords.map(
      (k) => new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegex(k.toLowerCase())}($|[^\\p{L}\\p{N}])`, 'u'),
    ),
    patterns: def.patterns.map(compilePattern),
  }));
  // V8 compiles a regular expression at its first run: dozens of Unicode-class keywords take tens of
  // milliseconds, paid here at start-up rather than by the first customer's message.
  for (const c of compiled) for (const re of c.keywords) re.test('warm up');

  return {
    classify(text) {
      const lower = text.toLowerCase();
      const matches: Array<{ intent: string; score: number }> = [];
      for (const c of compiled) {
        let score = 0;
        c.keywords.forEach((re, i) => {
          if (re.test(lower)) score += 1 + (c.def.keywords[i]?.split(/\s+/).length ?? 1);
        });
        for (const re of c.patterns) if (re.test(text)) score += 3;
        if (score > 0) matches.push({ intent: c.name, score });
      }
      matches.sort((a, b) => b.score - a.score);
      const best = matches[0] ? compiled.find((c) => c.name === matches[0]?.intent) : undefined;
      return {
        intent: best?.name ?? null,
        category: best?.def.category ?? null,
        priority: best?.def.priority ?? null,
        matches,
      };
    },
  };
}
