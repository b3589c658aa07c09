import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../src/group-commit.ts';

const tick = () => new Promise((r) => setImmediate(r));

describe('group commit', () => {
  it('writes calls made together in one batch and returns each its own result', async () => {
    const batches: number[][] = [];
    const g = createGroupCommit(async (items: number[]) => {
      batches.push(items);
      return items.map((n) => n * 10);
    });
    expect(await Promise.all([g.submit(1), g.submit(2), g.submit(3)])).toEqual([10, 20, 30]);
    expect(await g.submit(4)).toBe(40);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('fails every caller of a failed batch, and the next batch writes again', async () => {
    let fail = true;
    const g = createGroupCommit(async (items: string[]) => {
      if (fail) throw new Error('disk full');
      return items;
    });
    const failed = Promise.allSettled([g.submit('a'), g.submit('b')]);
    expect((await failed).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await g.submit('c')).toBe('c');
  });

  it('settles callers only once durable, while the next batch is already written', async () => {
    const flushes: Array<() => void> = [];
    const written: string[][] = [];
    const g = createGroupCommit(
      async (items: string[]) => {
        written.push(items);
        return items;
      },
      { durable: () => new Promise<void>((resolve) => flushes.push(resolve)) },
    );
    let firstDone = false;
    const first = g.submit('a').then((r) => {
      firstDone = true;
      return r;
    });
    await tick();
    await tick();
    const second = g.submit('b');
    await tick();
    await tick();
    // The second batch was written before the first one's flush came back.
    expect(written).toEqual([['a'], ['b']]);
    expect(firstDone).toBe(false);
    flushes[0]?.();
    expect(await first).toBe('a');
    const flushed = g.flush();
    flushes[1]?.();
    expect(await second).toBe('b');
    await flushed;
  });

  it('fails the callers whose flush failed', async () => {
    const g = createGroupCommit(async (items: string[]) => items, {
      durable: () => Promise.reject(new Error('EIO')),
    });
    await expect(g.submit('a')).rejects.toThrow('EIO');
  });
  it('ends a batch before the item that would take it past the weight, and lets the event loop turn before the next', async () => {
    const written: string[][] = [];
    const turns: string[] = [];
    const g = createGroupCommit(
      async (items: string[]) => {
        written.push(items);
        turns.push(`write ${items.join('')}`);
        // I/O that arrives while a batch is written: it must be served before the next heavy batch
        setImmediate(() => turns.push('other work'));
        return items;
      },
      { weigh: (s) => s.length, maxWeight: 4 },
    );
    const all = Promise.all(['aa', 'bb', 'cccccc', 'd'].map((s) => g.submit(s)));
    expect(await all).toEqual(['aa', 'bb', 'cccccc', 'd']);
    // one item heavier than the limit is a batch of its own
    expect(written).toEqual([['aa', 'bb'], ['cccccc'], ['d']]);
    expect(turns.slice(0, 5)).toEqual(['write aabb', 'other work', 'write cccccc', 'other work', 'write d']);
  });
});
