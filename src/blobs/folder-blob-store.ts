import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type BlobStore, blobKey, hashOfKey } from './contract.ts';

/** Blobs as files under `<root>/<first two hex digits>/<hash>`, written to a temporary name, synced, then renamed. */
export function createFolderBlobStore(root: string): BlobStore {
  const pathOf = (key: string): string | null => {
    const hash = hashOfKey(key);
    return hash ? join(root, hash.slice(0, 2), hash) : null;
  };
  return {
    kind: 'folder',
    async put(bytes) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const key = blobKey(sha256);
      const path = pathOf(key) as string;
      await mkdir(dirname(path), { recursive: true });
      const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      const file = await open(temp, 'w');
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      // Same content, same name: a concurrent put of the same bytes renames over an identical file.
      await rename(temp, path);
      const dir = await open(dirname(path), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      return { key, sha256, size: bytes.byteLength };
    },
    async get(key) {
      const path = pathOf(key);
      if (!path) return null;
      try {
        return await readFile(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async delete(key) {
      const path = pathOf(key);
      if (path) await rm(path, { force: true });
    },
  };
}
