import { describe, expect, it } from 'vitest';
import { MAX_NONCE, nonceFor } from '../../../adapters/discord/api/nonce.ts';
import { MAX_CONTENT, splitContent } from '../../../adapters/discord/format/split.ts';

describe('nonces', () => {
  it('are stable per outbox row and part, distinct otherwise, and at most 25 characters', () => {
    const id = '0k2f9v1s3a0000ab12cd34';
    expect(nonceFor(id)).toBe(nonceFor(id, 0));
    expect(nonceFor(id)).not.toBe(nonceFor(id, 1));
    expect(nonceFor(id)).not.toBe(nonceFor('0k2f9v1s3a0000ab12cd35'));
    for (const n of [nonceFor(id), nonceFor('x'.repeat(500), 3)]) {
      expect(n.length).toBeLessThanOrEqual(MAX_NONCE);
      expect(n).toMatch(/^[A-Za-z0-9_-]+$/);
    }
  });
});

describe('splitContent', () => {
  it('keeps short text whole and drops blank text', () => {
    expect(splitContent('  hi  ')).toEqual(['hi']);
    expect(splitContent('   ')).toEqual([]);
  });

  it('cuts at paragraphs, then words, then hard', () => {
    expect(splitContent(`${'a'.repeat(6)}\n\n${'b'.repeat(6)}`, 10)).toEqual(['aaaaaa', 'bbbbbb']);
    expect(splitContent('one two three four', 10)).toEqual(['one two', 'three four']);
    expect(splitContent('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    const long = splitContent('word '.repeat(1000));
    expect(long.every((p) => p.length <= MAX_CONTENT)).toBe(true);
    expect(long.join(' ').split(' ')).toHaveLength(1000);
  });
});
