import { describe, expect, it } from 'vitest';
import { createRuleClassifier } from '../../src/decide/classify.ts';
import { intentsFile } from '../../src/settings/schema.ts';

const classifier = createRuleClassifier(
  intentsFile.parse({
    intents: {
      hours: { keywords: ['open', 'opening hours', 'close'], category: 'info' },
      pricing: { keywords: ['price', 'how much'], patterns: ['£\\s?\\d+'], category: 'sales' },
      complaint: { keywords: ['refund', 'terrible'], category: 'feedback', priority: 'high' },
    },
  }).intents,
);

describe('rule classifier', () => {
  it('matches keywords on word boundaries, case-insensitively', () => {
    expect(classifier.classify('What are your OPENING HOURS?').intent).toBe('hours');
    expect(classifier.classify('the pricelist please').intent).toBeNull();
  });

  it('prefers the intent with more and longer matches', () => {
    const c = classifier.classify('The price was terrible, I want a refund');
    expect(c.matches.map((m) => m.intent)).toEqual(['complaint', 'pricing']);
    expect(c).toMatchObject({ intent: 'complaint', category: 'feedback', priority: 'high' });
  });

  it('uses patterns', () => {
    expect(classifier.classify('is it £5?').intent).toBe('pricing');
  });

  it('handles non-Latin text and returns nothing for no match', () => {
    expect(classifier.classify('Привет, как дела?')).toEqual({
      intent: null,
      category: null,
      priority: null,
      matches: [],
    });
  });

  it('weighs a keyword by its words plus one and a pattern by three, best first', () => {
    const c = classifier.classify('How much is it? £5. When do you open?');
    expect(c.matches).toEqual([
      { intent: 'pricing', score: 3 + 3 },
      { intent: 'hours', score: 2 },
    ]);
    expect(classifier.classify('opening hours and when you close').matches).toEqual([{ intent: 'hours', score: 5 }]);
  });

  it('takes keywords literally: their punctuation is not a pattern', () => {
    const literal = createRuleClassifier(intentsFile.parse({ intents: { dots: { keywords: ['a.m.'] } } }).intents);
    expect(literal.classify('open at 9 a.m. sharp').intent).toBe('dots');
    expect(literal.classify('open at 9 axmx sharp').intent).toBeNull();
  });

  it('matches a keyword at the very start or end of the text, not inside a word', () => {
    expect(classifier.classify('open').intent).toBe('hours');
    expect(classifier.classify('reopen').intent).toBeNull();
    expect(classifier.classify('opened').intent).toBeNull();
  });
});
