import { describe, expect, it } from 'vitest';
import { decodeThreadKey, encodeThreadKey, type MetaThread } from '../../../adapters/meta/thread-key.ts';

describe('Meta thread keys', () => {
  const threads: MetaThread[] = [
    { kind: 'dm', ours: '1000001', user: '24680' },
    { kind: 'comment', ours: '1000001', comment: '1000001_555_777' },
    { kind: 'private-reply', ours: '1780000', comment: '17900001' },
  ];

  it.each(threads)('round-trips a $kind thread', (t) => {
    const key = encodeThreadKey(t);
    expect(decodeThreadKey(key)).toEqual(t);
  });

  it('gives each kind its own key for the same ids', () => {
    const keys = new Set([
      encodeThreadKey({ kind: 'dm', ours: '1', user: '2' }),
      encodeThreadKey({ kind: 'comment', ours: '1', comment: '2' }),
      encodeThreadKey({ kind: 'private-reply', ours: '1', comment: '2' }),
    ]);
    expect(keys.size).toBe(3);
  });

  it('refuses ids that would break the key', () => {
    expect(() => encodeThreadKey({ kind: 'dm', ours: '1', user: 'a:b' })).toThrow(/not a Graph id/);
    expect(() => encodeThreadKey({ kind: 'comment', ours: '', comment: '2' })).toThrow(/not a Graph id/);
  });

  it.each(['', 'dm:1', 'dm:1:2:3', 'post:1:2', '+14155550100/+14155550123', 'dm:1:'])('does not decode %j', (key) => {
    expect(decodeThreadKey(key)).toBeNull();
  });
});
