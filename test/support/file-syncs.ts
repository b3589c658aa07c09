import { readlinkSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { vi } from 'vitest';

/** One fsync or fdatasync made through a promise FileHandle, with the path the descriptor points to. */
export interface FileSync {
  kind: 'sync' | 'datasync';
  path: string;
}

/**
 * Records every `FileHandle.sync()` and `datasync()` this process makes (they
 * still run), so a test can see which files were really flushed. Linux: the
 * path is read from /proc/self/fd. Call `restore()` when done.
 */
async function recordFileSyncs(): Promise<{ syncs: FileSync[]; restore(): void }> {
  const probe = await open(import.meta.filename, 'r');
  const proto = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  const syncs: FileSync[] = [];
  const spies = (['sync', 'datasync'] as const).map((kind) => {
    const original = proto[kind];
    return vi.spyOn(proto, kind).mockImplementation(function (this: FileHandle) {
      syncs.push({ kind, path: readlinkSync(`/proc/self/fd/${this.fd}`) });
      return original.call(this);
    });
  });
  return {
    syncs,
    restore: () => {
      for (const s of spies) s.mockRestore();
    },
  };
}

/** Runs `fn` while recording file syncs, and stops recording however it ends. */
export async function withFileSyncs<T>(fn: (syncs: FileSync[]) => Promise<T>): Promise<T> {
  const recorded = await recordFileSyncs();
  try {
    return await fn(recorded.syncs);
  } finally {
    recorded.restore();
  }
}
