import type { BlobStore } from '../blobs/contract.ts';
import type { ChannelAdapter } from '../channel/contract.ts';
import { type FetchLimits, safeFetch } from '../channel/safe-fetch.ts';
import type { Clock } from '../clock.ts';
import { parseDuration } from '../duration.ts';
import { MediaError, mediaRefused } from '../errors.ts';
import type { Logger } from '../log.ts';
import { type Backoff, type BackoffOptions, toBackoff } from '../retry/backoff.ts';
import type { AttachmentsSettings } from '../settings/attachments-schema.ts';
import type { MediaFetch, Store } from '../store/contract.ts';
import { createDueLoop } from '../timers/due-loop.ts';

/**
 * Brings inbound files from their providers into the blob store. A fetch is
 * queued with its message in the routing transaction (src/store/media-fetches.ts)
 * and run here, after the commit, so a slow provider never holds up a webhook's
 * acknowledgement or the routing of the message. A refused file (the SSRF
 * guard, size, type) is final; anything else is tried again with backoff,
 * and after `maxAttempts` the error is kept on the attachment for agents to see.
 */
export interface MediaFetcherOptions {
  store: Store;
  blobs: BlobStore;
  adapters: ReadonlyMap<string, ChannelAdapter>;
  clock: Clock;
  log: Logger;
  owner: string;
  leaseMs: number;
  limits: FetchLimits;
  maxAttempts: number;
  backoff?: Backoff | BackoffOptions;
  /** Called after an attachment's outcome is recorded (the desk posts the file). */
  onFinished?: (fetch: MediaFetch) => void;
  /** Called when a fetch failed and is tried again at `nextAt` (the desk says so). */
  onRetry?: (fetch: MediaFetch, error: string, nextAt: number) => void;
  concurrency?: number;
}

export interface MediaFetcher {
  start(): void;
  stop(): Promise<void>;
  kick(): void;
  /** Rounds until nothing is due now. */
  drain(): Promise<void>;
}

/** The fetch limits of router.yaml's `attachments.fetch`. */
export function fetchLimits(f: AttachmentsSettings['fetch']): FetchLimits {
  return {
    maxBytes: f.maxBytes,
    timeoutMs: parseDuration(f.timeout),
    maxRedirects: f.maxRedirects,
    testHosts: f.testHosts,
  };
}

export function createMediaFetcher(o: MediaFetcherOptions): MediaFetcher {
  const backoff = toBackoff(o.backoff ?? { baseMs: 5_000, maxMs: 30 * 60_000 });
  const batch = o.concurrency ?? 4;
  const loop = createDueLoop({
    clock: o.clock,
    log: o.log,
    name: 'media',
    nextDueAt: () => o.store.nextMediaFetchAt(),
    async round() {
      const jobs = await o.store.claimMediaFetches({
        owner: o.owner,
        now: o.clock.now(),
        leaseMs: o.leaseMs,
        limit: batch,
      });
      await Promise.all(jobs.map(run));
      return { claimed: jobs.length, full: jobs.length >= batch };
    },
  });

  async function run(job: MediaFetch): Promise<void> {
    const at = { fetchId: job.id, messageId: job.messageId, channel: job.channel, attachment: job.index };
    try {
      const kept = await fetchOne(job);
      if (await o.store.finishMediaFetch(job, o.owner, kept, o.clock.now())) {
        o.log.info({ ...at, sha256: kept.sha256, size: kept.size }, 'attachment kept');
        o.onFinished?.(job);
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const attempts = job.attempts + 1;
      const final = (err instanceof MediaError && err.final) || attempts >= o.maxAttempts;
      if (final) {
        o.log.warn({ ...at, attempts, reason }, 'attachment not kept');
        if (await o.store.finishMediaFetch(job, o.owner, { error: reason }, o.clock.now())) o.onFinished?.(job);
        return;
      }
      const due = o.clock.now() + backoff(attempts);
      o.log.warn({ ...at, attempts, reason, retryAt: due }, 'attachment fetch failed; retrying');
      await o.store.retryMediaFetch(job.id, o.owner, due, reason);
      o.onRetry?.({ ...job, attempts }, reason, due);
      loop.wakeAt(due);
    }
  }

  async function fetchOne(job: MediaFetch) {
    if (!job.attachment) throw mediaRefused('the message is gone');
    const source = (await o.adapters.get(job.channel)?.mediaSource?.(job.attachment)) ?? null;
    if (!source) throw mediaRefused(`the ${job.channel} channel does not fetch files`);
    const media = await safeFetch(source, o.limits);
    const stored = await o.blobs.put(media.bytes, media.contentType);
    return { blobKey: stored.key, sha256: stored.sha256, size: stored.size, contentType: media.contentType };
  }

  return {
    start: () => loop.start(),
    async stop() {
      await loop.stop();
    },
    kick: loop.kick,
    async drain() {
      for (let i = 0; i < 100; i++) {
        if ((await loop.round()).claimed === 0) return;
      }
    },
  };
}
