import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Durability for SQLite commits without blocking the event loop. The database
 * runs with synchronous = NORMAL, so a commit only writes its WAL frames; a
 * caller that must not go on before the commit is on disk (an acknowledgement,
 * a send) then awaits `sync()`, an fdatasync of the WAL file on a libuv thread.
 * Once it returns, every commit made before the call is durable: recovery
 * replays the WAL up to its last valid commit. Calls made while a sync is
 * running share the next one, so one flush serves a whole burst of commits.
 */
export interface WalSync {
  sync(): Promise<void>;
  close(): Promise<void>;
}

export function createWalSync(databaseFile: string): WalSync {
  const walFile = `${databaseFile}-wal`;
  let handle: Promise<FileHandle> | null = null;
  const opened = (): Promise<FileHandle> => {
    if (!handle) {
      handle = (async () => {
        // The WAL's directory entry must survive a crash too: synced once, when the file is first used.
        const dir = await open(dirname(walFile), 'r');
        await dir.sync().finally(() => dir.close());
        return open(walFile, 'r+');
      })();
      handle.catch(() => {
        handle = null;
      });
    }
    return handle;
  };
  const flush = coalesce(async () => (await opened()).datasync());
  return {
    sync: flush.run,
    async close() {
      await flush.idle();
      const h = handle;
      handle = null;
      await h?.then(
        (file) => file.close(),
        () => undefined,
      );
    },
  };
}

/**
 * Shares one run of `flush` among callers: a call while none runs starts one;
 * calls while one runs share the next, which starts when it ends (the running
 * one may have begun before their writes).
 */
export function coalesce(flush: () => Promise<void>): { run(): Promise<void>; idle(): Promise<void> } {
  let current: Promise<void> | null = null;
  let next: Promise<void> | null = null;

  function start(): Promise<void> {
    const run = flush().finally(() => {
      if (current === run) current = null;
    });
    current = run;
    return run;
  }

  return {
    run() {
      if (!current) return start();
      next ??= current
        .catch(() => undefined)
        .then(() => {
          next = null;
          return start();
        });
      return next;
    },
    async idle() {
      await Promise.allSettled([current, next]);
    },
  };
}
