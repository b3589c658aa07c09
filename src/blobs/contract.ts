/**
 * Where attachment bytes live: the data folder by default, an S3-compatible
 * bucket when several routers share the work. Blobs are content-addressed
 * (the key is made from the SHA-256 of the bytes), so storing the same file
 * twice keeps one copy and a key proves what it holds.
 */
export interface StoredBlob {
  /** The store's key for the bytes: `sha256/<hex>`. */
  key: string;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  size: number;
}

export interface BlobStore {
  readonly kind: 'folder' | 's3';
  /** Stores the bytes durably (resolves once they survive a crash) and returns their key. */
  put(bytes: Uint8Array, contentType: string): Promise<StoredBlob>;
  /** The bytes under `key`, or null when nothing is stored there. */
  get(key: string): Promise<Buffer | null>;
  /** Removes the bytes under `key`; removing what is not there is no error. */
  delete(key: string): Promise<void>;
}

const KEY = /^sha256\/([0-9a-f]{64})$/;

export const blobKey = (sha256: string) => `sha256/${sha256}`;

/** The hex hash inside a key, or null for anything that is not a blob key (so no key can name a path outside the store). */
export function hashOfKey(key: string): string | null {
  return KEY.exec(key)?.[1] ?? null;
}
