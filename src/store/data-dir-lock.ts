import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from '../errors.ts';

const LOCK_FILE = 'router.pid';

/**
 * One router per SQLite data folder: a second one would route the same events.
 * The lock is a pid file; a file left by a process that no longer runs (kill -9)
 * is taken over. Returns the function that releases it.
 */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
        throw new StoreError(
          'data_dir_in_use',
          `another Touchpoint router (pid ${pid}) is running on ${dir}; stop it, or use another --data folder`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new StoreError('data_dir_in_use', `could not lock ${dir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
