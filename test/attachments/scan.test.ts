import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClamdScanner } from '../../src/attachments/clamd.ts';
import { SCAN_REJECTED, scannedBlobStore } from '../../src/attachments/scanned-blobs.ts';
import { blobKey } from '../../src/blobs/contract.ts';
import { createFolderBlobStore } from '../../src/blobs/folder-blob-store.ts';
import { EICAR, FakeClamd } from '../fakes/clamd.ts';
import { capturedLog } from '../support/log-capture.ts';

/**
 * The scan hook: every file passes clamd's INSTREAM before the blob store
 * keeps it. A flagged file is refused for good and never stored; a scanner
 * that cannot be reached rejects (fail closed) or keeps the file (fail open),
 * loudly either way.
 */
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('clamd scan before a file is kept', () => {
  let clamd: FakeClamd;
  let dir: string;
  beforeEach(async () => {
    clamd = new FakeClamd();
    await clamd.start();
    dir = await mkdtemp(join(tmpdir(), 'tp-scan-'));
  });
  afterEach(async () => {
    await clamd.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const storeWith = (onError: 'reject' | 'accept', port = clamd.port) => {
    const { log, lines } = capturedLog();
    const scanner = createClamdScanner({ host: '127.0.0.1', port, timeoutMs: 5_000, chunkBytes: 1_000 });
    const inner = createFolderBlobStore(dir);
    return { blobs: scannedBlobStore(inner, { scanner, onError, log }), inner, lines };
  };

  it('keeps a clean file after streaming its exact bytes in length-prefixed chunks', async () => {
    const { blobs, inner } = storeWith('reject');
    const bytes = Buffer.alloc(2_500, 9);
    const kept = await blobs.put(bytes, 'image/png');
    expect(clamd.streams).toHaveLength(1);
    expect(clamd.streams[0]?.equals(bytes)).toBe(true);
    expect(clamd.chunks[0]).toEqual([1_000, 1_000, 500]);
    expect((await inner.get(kept.key))?.equals(bytes)).toBe(true);
  });

  it('refuses a flagged file for good, logs the signature and stores nothing', async () => {
    const { blobs, inner, lines } = storeWith('accept');
    const bytes = Buffer.from(`prefix ${EICAR} suffix`);
    const err = await blobs.put(bytes, 'application/pdf').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'media_refused', message: `${SCAN_REJECTED} (Eicar-Signature)` });
    expect(await inner.get(blobKey(sha256(bytes)))).toBeNull();
    expect(lines.find((l) => l.msg === SCAN_REJECTED)).toMatchObject({ signature: 'Eicar-Signature' });
  });

  it('fails closed when the scanner is down: nothing kept, retryable, logged as an error', async () => {
    await clamd.stop();
    const { blobs, inner, lines } = storeWith('reject');
    const bytes = Buffer.from('clean but unscanned');
    const err = await blobs.put(bytes, 'text/plain').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'media_unavailable' });
    expect(await inner.get(blobKey(sha256(bytes)))).toBeNull();
    expect(lines.find((l) => l.level === 50)?.msg).toBe('virus scanner down: file not kept');
  });

  it('fails open when told to: the file is kept and the error logged', async () => {
    await clamd.stop();
    const { blobs, inner, lines } = storeWith('accept');
    const bytes = Buffer.from('kept unscanned');
    const kept = await blobs.put(bytes, 'text/plain');
    expect((await inner.get(kept.key))?.equals(bytes)).toBe(true);
    expect(lines.find((l) => l.level === 50)?.msg).toBe('virus scanner down: file kept UNSCANNED');
  });

  it('treats a clamd error reply (stream too long) as the scanner failing, not as clean', async () => {
    clamd.streamMaxLength = 100;
    const { blobs, inner } = storeWith('reject');
    const bytes = Buffer.alloc(500, 1);
    await expect(blobs.put(bytes, 'image/png')).rejects.toMatchObject({ code: 'media_unavailable' });
    expect(await inner.get(blobKey(sha256(bytes)))).toBeNull();
  });
});
