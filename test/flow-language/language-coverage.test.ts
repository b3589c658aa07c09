import { describe, expect, it } from 'vitest';
import { describeMissing, missingLanguageVariants } from '../../src/flow-language/language-coverage.ts';
import { exampleSettings } from './example.ts';

describe('templates missing a language variant, per flow (check)', () => {
  const settings = exampleSettings();
  const missing = missingLanguageVariants(settings);

  it('names each flow whose templates lack a language the others speak, and only those', () => {
    const flows = new Set(missing.map((m) => m.flow));
    // Every template of the price list flow has German and French: nothing to report.
    expect(flows.has('pricing')).toBe(false);
    expect(missing.find((m) => m.flow === 'refund' && m.language === 'de')?.templates).toContain('refund_reason');
    // The business's own language is never "missing".
    expect(missing.some((m) => m.language === settings.business.language)).toBe(false);
  });

  it('a template given the language leaves the list', () => {
    const reason = settings.templates.refund_reason;
    const text = typeof reason === 'string' ? reason : (reason?.text ?? '');
    const patched = {
      ...settings,
      templates: { ...settings.templates, refund_reason: { text, languages: { de: 'Warum?', fr: 'Pourquoi ?' } } },
    };
    const after = missingLanguageVariants(patched).find((m) => m.flow === 'refund' && m.language === 'de');
    expect(after?.templates).not.toContain('refund_reason');
    expect(describeMissing([{ flow: 'f', language: 'de', templates: ['a', 'b', 'c', 'd'] }])).toEqual([
      '  f: de (a, b, c, +1 more)',
    ]);
  });
});
