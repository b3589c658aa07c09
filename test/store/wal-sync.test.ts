import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coalesce, createWalSync } from '../../src/store/wal-sync.ts';
import { withFileSyncs } from '../support/file-syncs.ts';

/** A flush the test finishes by hand, counting how often it started. */
function manualFlush() {
  const pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  return {
    started: () => pending.length,
    flush: () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject })),
    finish: (i: number) => pending[i]?.resolve(),
    fail: (i: number, err: Error) => pending[i]?.reject(err),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('coalesced WAL flushes', () => {
  it('starts one flush when idle and shares the next one among callers that come while it runs', async () => {
    const f = manualFlush();
    const c = coalesce(f.flush);
    const first = c.run();
    const second = c.run();
    const third = c.run();
    expect(f.started()).toBe(1);
    expect(second).toBe(third);
    let secondDone = false;
    void second.then(() => {
      secondDone = true;
    });
    f.finish(0);
    await first;
    await tick();
    // The callers that came during the first flush wait for a flush that began after their call.
    expect(f.started()).toBe(2);
    expect(secondDone).toBe(false);
    f.finish(1);
    await second;
    expect(secondDone).toBe(true);
    expect(f.started()).toBe(2);
  });

  it('fails the callers of a failed flush, and the next call flushes again', async () => {
    const f = manualFlush();
    const c = coalesce(f.flush);
    const failing = c.run();
    f.fail(0, new Error('EIO'));
    await expect(failing).rejects.toThrow('EIO');
    const again = c.run();
    expect(f.started()).toBe(2);
    f.finish(1);
    await again;
    await c.idle();
  });

  it('fdatasyncs the WAL file (its folder once, when first used), sharing flushes among concurrent callers', () =>
    withFileSyncs(async (syncs) => {
      const dir = mkdtempSync(join(tmpdir(), 'tp-walsync-'));
      try {
        const db = join(dir, 'x.sqlite');
        writeFileSync(`${db}-wal`, 'frames');
        const sync = createWalSync(db);
        await Promise.all([sync.sync(), sync.sync(), sync.sync()]);
        // The first call flushes; the two made while it ran share one flush that starts after it.
        expect(syncs).toEqual([
          { kind: 'sync', path: dir },
          { kind: 'datasync', path: `${db}-wal` },
          { kind: 'datasync', path: `${db}-wal` },
        ]);
        await sync.sync();
        expect(syncs.slice(3)).toEqual([{ kind: 'datasync', path: `${db}-wal` }]);
        await sync.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }));

  it('reports a missing WAL file instead of pretending it is durable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-walsync-'));
    try {
      const sync = createWalSync(join(dir, 'missing.sqlite'));
      await expect(sync.sync()).rejects.toThrow(/ENOENT/);
      await sync.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
