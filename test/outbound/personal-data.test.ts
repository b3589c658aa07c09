import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { createPersonalDataDetector, describeFindings } from '../../src/outbound/personal-data.ts';
import { builtInPublicGuard, createPublicSendGuard } from '../../src/outbound/public-guard.ts';
import { renderTemplate } from '../../src/outbound/templates.ts';
import { createWordListSentiment } from '../../src/policies/sentiment.ts';

const kinds = (text: string) =>
  [
    ...new Set(
      createPersonalDataDetector()
        .find(text)
        .map((f) => f.kind),
    ),
  ].sort();

describe('personal data detection', () => {
  it.each([
    ['Call me on +44 20 7946 0321', ['phone number']],
    ['or text 07700 900123', ['phone number']],
    ['my number is (555) 123-4567', ['phone number']],
    ['write to ada.l@example.co.uk', ['email address']],
    ['order #123456 is late', ['order number']],
    ['Order number HSB-20931 shipped', ['order number']],
    ['account no. 88812345', ['account number']],
    ['card 4111 1111 1111 1111', ['account number']],
    ['IBAN GB82 WEST 1234 5698 7654 32', ['account number', 'phone number']],
    ['I live at 4b Mill Road, Bristol BS1 4QA', ['address']],
    ['PO Box 123', ['address']],
  ])('finds it in %j', (text, expected) => {
    expect(kinds(text)).toEqual(expected);
  });

  it.each([
    'We open tomorrow at 7:30; Tue–Thu 7:30–15:00, Fri 7:30–17:00.',
    "Sourdough £4.80, croissant £2.40, cakes from £38 (3 days' notice).",
    'Closed on 25–26 December, 2026-12-25 and 25.12.2026.',
    'We have 1000000 fans and 1 easy way to order.',
    'Harbour Street Bakery says hello',
  ])('leaves ordinary text alone: %j', (text) => {
    expect(kinds(text)).toEqual([]);
  });

  it('adds the business’s own formats and allows its own public details', () => {
    const d = createPersonalDataDetector({
      patterns: { 'loyalty id': '\\bLOY\\d{5}\\b' },
      allow: ['12 Harbour Street', 'hello@shop.example'],
    });
    expect(d.find('your LOY12345 card').map((f) => f.kind)).toEqual(['loyalty id']);
    expect(d.find('Visit us at 12 Harbour Street or write to hello@shop.example')).toEqual([]);
    expect(d.find('I am at 14 Harbour Street').map((f) => f.kind)).toEqual(['address']);
  });

  it('says what it found', () => {
    expect(describeFindings(createPersonalDataDetector().find('a@b.co, +44 20 7946 0321'))).toBe(
      'an email address and a phone number',
    );
    expect(builtInPublicGuard.inspect('see you soon')).toBeNull();
  });
});

describe('the example business', () => {
  it('posts none of its policy templates or knowledge answers in public with personal data in them', () => {
    const root = join(import.meta.dirname, '../..');
    const settings = loadConfig({
      configDir: join(root, 'config'),
      flowsDir: join(root, 'flows'),
      adapters,
      env: {},
    });
    const { policies } = settings;
    const guard = createPublicSendGuard(policies.handoff);
    const vars = { name: 'Ada', business: settings.business.name, opening: 'tomorrow at 7:30' };
    const texts = [
      ...Object.keys(settings.templates)
        .filter((id) => /^(after_hours|handoff)_/.test(id))
        .map((id) => [id, renderTemplate(settings.templates, id, { channel: 'facebook', language: null, vars }).text]),
      ...Object.entries(policies.knowledge.answers).map(([id, a]) => [id, a.answer]),
    ];
    expect(texts.length).toBeGreaterThan(8);
    expect(texts.map(([id, text]) => [id, guard.inspect(text ?? '')]).filter(([, reason]) => reason !== null)).toEqual(
      [],
    );
  });
});

describe('word-list sentiment', () => {
  const s = createWordListSentiment({ words: { good: 2, awful: -3, 'never again': -3 }, negators: ['not', "don't"] });
  it('adds word and phrase scores, and flips a negated word', () => {
    expect(s.score('Awful. Never again!')).toBe(-6);
    expect(s.score('good')).toBe(2);
    expect(s.score('not good at all')).toBe(-2);
    expect(s.score('nothing to say')).toBe(0);
  });
});
