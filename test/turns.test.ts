import { describe, expect, it } from 'vitest';
import { heavyTurn, prefixByWeight } from '../src/turns.ts';

describe('turns of the event loop', () => {
  it('runs heavy stages one a turn, with the I/O that came meanwhile served between them', async () => {
    const seen: string[] = [];
    // each heavy stage lets other work in (a health check arriving), which must run before the next stage
    const stage = async (name: string) => {
      await heavyTurn();
      seen.push(name);
      setImmediate(() => seen.push(`other after ${name}`));
    };
    await Promise.all([stage('a'), stage('b'), stage('c')]);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['a', 'other after a', 'b', 'other after b', 'c', 'other after c']);
  });

  it('takes the longest prefix within the weight, never none', () => {
    const len = (s: string) => s.length;
    expect(prefixByWeight(['aa', 'bb', 'c'], len, 4)).toEqual(['aa', 'bb']);
    expect(prefixByWeight(['aaaaaa', 'b'], len, 4)).toEqual(['aaaaaa']);
    expect(prefixByWeight([], len, 4)).toEqual([]);
  });
});
