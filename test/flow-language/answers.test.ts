import { describe, expect, it } from 'vitest';
import { parseDate } from '../../src/flow-language/answer-dates.ts';
import { choicesOf, parseAnswer, renderChoices } from '../../src/flow-language/answers.ts';
import type { AskStep } from '../../src/settings/flow-schema.ts';

// Tuesday 3 March 2026, 10:00 in London
const now = Date.UTC(2026, 2, 3, 10);
const tz = { timeZone: 'Europe/London', language: 'en' };

const ask = (over: Partial<AskStep>): AskStep => ({
  template: 'q',
  var: 'v',
  expect: 'text',
  retries: 2,
  onTimeout: 'continue',
  onInvalid: 'continue',
  fromMessage: false,
  whileHandedOff: 'agent',
  ...over,
});
const answer = (step: Partial<AskStep>, text: string) => parseAnswer(ask(step), text, now, tz);

describe('answers to ask steps', () => {
  it('picks a choice by number, value, label or keyword, and refuses an ambiguous one', () => {
    const step = { choices: ['allergens', { value: 'cakes', label: 'Celebration cakes', keywords: ['birthday'] }] };
    expect(answer(step, '2')).toEqual({ ok: true, value: 'cakes' });
    expect(answer(step, ' Allergens! ')).toEqual({ ok: true, value: 'allergens' });
    expect(answer(step, 'celebration cakes')).toEqual({ ok: true, value: 'cakes' });
    expect(answer(step, 'for a birthday please')).toEqual({ ok: true, value: 'cakes' });
    expect(answer(step, 'allergens in birthday cakes')).toEqual({ ok: false });
    expect(answer(step, '3')).toEqual({ ok: false });
  });

  it('reads yes and no in several words and languages', () => {
    for (const yes of ['yes', 'Yeah!', 'yes please', 'of course', 'ja', '1'])
      expect(answer({ expect: 'yes_no' }, yes), yes).toEqual({ ok: true, value: 'yes' });
    for (const no of ['no', 'Nope', 'not really', 'nein danke', '2'])
      expect(answer({ expect: 'yes_no' }, no), no).toEqual({ ok: true, value: 'no' });
    expect(answer({ expect: 'yes_no' }, 'hmm')).toEqual({ ok: false });
  });

  it('reads numbers, emails and phone numbers out of a sentence', () => {
    expect(answer({ expect: 'number' }, 'about 20 people')).toEqual({ ok: true, value: 20 });
    expect(answer({ expect: 'number' }, '2,5 kg')).toEqual({ ok: true, value: 2.5 });
    expect(answer({ expect: 'number' }, 'nobody')).toEqual({ ok: false });
    expect(answer({ expect: 'email' }, 'it is Ada@Example.com thanks')).toEqual({ ok: true, value: 'ada@example.com' });
    expect(answer({ expect: 'phone' }, 'call +44 7700 900123')).toEqual({ ok: true, value: '+447700900123' });
    expect(answer({ expect: 'phone' }, '123')).toEqual({ ok: false });
  });

  it('reads numbers written as words', () => {
    for (const [text, n] of [
      ['twelve', 12],
      ['twenty', 20],
      ['for twenty-five people', 25],
      ['a dozen', 12],
      ['two dozen please', 24],
      ['half a dozen', 6],
      ['a hundred and twenty', 120],
      ['about 30, maybe thirty-five', 30],
    ] as const)
      expect(answer({ expect: 'number' }, text), text).toEqual({ ok: true, value: n });
    expect(answer({ expect: 'number' }, 'a cake please')).toEqual({ ok: false });
  });

  it('reads times of day', () => {
    expect(answer({ expect: 'time' }, 'at 3pm')).toEqual({ ok: true, value: '15:00' });
    expect(answer({ expect: 'time' }, 'around 10:30')).toEqual({ ok: true, value: '10:30' });
    expect(answer({ expect: 'time' }, 'whenever')).toEqual({ ok: false });
  });

  it('keeps only what a pattern matches', () => {
    expect(answer({ pattern: 'HSB-?\\d{4,}' }, "it's hsb-10234, thanks")).toEqual({ ok: true, value: 'hsb-10234' });
    expect(answer({ pattern: 'HSB-?\\d{4,}' }, '12345')).toEqual({ ok: false });
    expect(answer({}, '   ')).toEqual({ ok: false });
  });

  it('renders choices as numbered lines and a part for buttons', () => {
    expect(renderChoices(choicesOf({ expect: 'yes_no' }))).toEqual({
      text: '1. Yes\n2. No',
      parts: [
        {
          type: 'choices',
          options: [
            { value: 'yes', label: 'Yes' },
            { value: 'no', label: 'No' },
          ],
          list: '1. Yes\n2. No',
        },
      ],
    });
  });
});

describe('dates customers type', () => {
  it.each([
    ['today', '2026-03-03'],
    ['tomorrow please', '2026-03-04'],
    ['Saturday', '2026-03-07'],
    ['on tuesday', '2026-03-10'],
    ['14 March', '2026-03-14'],
    ['the 2nd of March', '2027-03-02'],
    ['March 20th', '2026-03-20'],
    ['14/03', '2026-03-14'],
    ['14.03.2027', '2027-03-14'],
    ['2026-12-24', '2026-12-24'],
  ])('%s is %s', (text, date) => {
    expect(parseDate(text, now, tz)).toBe(date);
  });

  it('refuses what is not a date', () => {
    for (const text of ['next blursday', '31/02', 'a wedding cake', 'month end'])
      expect(parseDate(text, now, tz), text).toBeNull();
  });

  it('reads "the 19th" as the next 19th, and the contact\'s language', () => {
    expect(parseDate('for the 19th, for 20', now, tz)).toBe('2026-03-19');
    expect(parseDate('the 2nd', now, tz)).toBe('2026-04-02');
    expect(parseDate('next Friday', now, tz)).toMatch(/^2026-03-(06|13)$/);
    const de = { timeZone: 'Europe/Berlin', language: 'de' };
    expect(parseDate('morgen', now, de)).toBe('2026-03-04');
    expect(parseDate('am Samstag', now, de)).toBe('2026-03-07');
    // a German contact writing English is still understood
    expect(parseDate('tomorrow', now, de)).toBe('2026-03-04');
  });

  it('reads "tomorrow" in the contact\'s timezone, not the server\'s', () => {
    // 20:00 UTC on Tuesday 3 March: still the 3rd in London, already the 4th in Auckland
    const evening = Date.UTC(2026, 2, 3, 20);
    expect(parseDate('tomorrow', evening, tz)).toBe('2026-03-04');
    expect(parseDate('tomorrow', evening, { timeZone: 'Pacific/Auckland', language: 'en' })).toBe('2026-03-05');
  });

  it('counts today in the business timezone', () => {
    // 23:30 UTC on 3 March is already 4 March in Auckland
    expect(parseDate('today', Date.UTC(2026, 2, 3, 23, 30), { timeZone: 'Pacific/Auckland', language: 'en' })).toBe(
      '2026-03-04',
    );
  });
});
