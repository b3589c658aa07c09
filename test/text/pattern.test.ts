import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compilePattern, patternProblem } from '../../src/text/pattern.ts';
import { copyExample, type ExampleCopy } from '../flow-language/example.ts';

describe('business-written patterns', () => {
  it('match case-insensitively, first and every match', () => {
    const p = compilePattern('hsb-?\\d{4,}');
    expect(p.test('my order HSB-20931')).toBe(true);
    expect(p.first('orders HSB-1234 and hsb5678')).toBe('HSB-1234');
    expect(p.all('orders HSB-1234 and hsb5678')).toEqual(['HSB-1234', 'hsb5678']);
    expect(compilePattern('\\bcafé\\b').test('Ein CAFÉ')).toBe(false);
    expect(compilePattern('(?<order>\\d{4})').first('no. 12345')).toBe('1234');
  });

  it('refuse what cannot run in linear time, and what JavaScript would not parse', () => {
    expect(patternProblem('\\bwhere is my\\b')).toBeNull();
    expect(patternProblem('(?=order)\\w+')).toMatch(/^it cannot be matched in linear time \(.*\(\?=/);
    expect(patternProblem('(?<!not )happy')).toMatch(/^it cannot be matched in linear time/);
    expect(patternProblem('(a)\\1')).toMatch(/^it cannot be matched in linear time/);
    expect(patternProblem('(unclosed')).toMatch(/Unterminated group/);
  });

  it('take linear time where a backtracking engine takes quadratic', () => {
    // "cake" then no price: JavaScript's engine would scan to the end from every "cake"
    const text = 'cake '.repeat(40_000);
    const start = process.threadCpuUsage();
    expect(compilePattern('\\b(cake|loaf)\\b.*\\b(price|cost)').test(text)).toBe(false);
    const used = process.threadCpuUsage(start);
    expect((used.user + used.system) / 1000).toBeLessThan(1_000);
  });
});

describe('touchpoint check on patterns', () => {
  let copy: ExampleCopy | null = null;
  afterEach(() => {
    copy?.cleanup();
    copy = null;
  });

  it('names the intent pattern that needs a lookahead, with what to do instead', () => {
    copy = copyExample();
    const file = join(copy.configDir, 'intents.yaml');
    const text = readFileSync(file, 'utf8').replace('"\\\\bare you (open|closed)\\\\b"', '"are you (?=open)"');
    copy.write('config/intents.yaml', text);
    const problems = copy.problems();
    expect(problems).toEqual([
      expect.objectContaining({
        file: expect.stringContaining('intents.yaml'),
        path: 'intents.hours.patterns[0]',
        message: expect.stringContaining('not a valid regular expression'),
        fix: expect.stringContaining('linear time'),
      }),
    ]);
  });
});
