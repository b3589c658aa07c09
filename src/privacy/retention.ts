import type { BlobStore } from '../blobs/contract.ts';
import { parseDuration } from '../duration.ts';
import type { Logger } from '../log.ts';
import type { RetentionSettings } from '../settings/retention-schema.ts';
import type { Store } from '../store/contract.ts';
import type { ChannelScope, RetentionKind } from '../store/retention.ts';
import { yieldTurn } from '../turns.ts';
import { type SweptBlobs, sweepBlobs } from './blob-sweep.ts';

/** One limit as it applies: to one channel, or (`*`) to every channel without its own. */
export interface RetentionRule {
  channel: string;
  kind: RetentionKind;
  olderThan: string;
  scope: ChannelScope;
}

export interface RetentionLine {
  channel: string;
  kind: RetentionKind;
  olderThan: string;
  /** Cut-off instant (epoch ms): what is older goes. */
  before: number;
  /** Rows removed, or that a dry run would remove; conversations are counted as conversations emptied. */
  count: number;
  /** Dry run: attachment files that would be deleted (those no message kept by this limit names). */
  blobs?: number;
}

export interface RetentionReport {
  dryRun: boolean;
  at: number;
  lines: RetentionLine[];
  /** SQLite pages given back to the file system (4 KiB each by default). */
  reclaimedPages: number;
  /** Attachment files of the removed messages, deleted after the batches (absent: dry run, or no blob store given). */
  files?: SweptBlobs;
}

const KINDS: readonly RetentionKind[] = ['rawPayloads', 'messages', 'resolvedConversations'];
/** Pages given back per step: a few MiB, so the router waits at most a few milliseconds. */
const VACUUM_STEP = 256;

/** The rules the settings make: for each kind, the default (minus channels with their own) and each channel's own. */
export function retentionRules(settings: RetentionSettings): RetentionRule[] {
  const rules: RetentionRule[] = [];
  const channels = Object.entries(settings.channels).sort(([a], [b]) => a.localeCompare(b));
  for (const kind of KINDS) {
    const own = channels.filter(([, limits]) => limits[kind] !== undefined);
    const fallback = settings.default[kind];
    if (fallback !== undefined)
      rules.push({ channel: '*', kind, olderThan: fallback, scope: { except: own.map(([name]) => name) } });
    for (const [channel, limits] of own)
      rules.push({ channel, kind, olderThan: limits[kind] as string, scope: { channel } });
  }
  return rules;
}

export const hasRetention = (settings: RetentionSettings): boolean => retentionRules(settings).length > 0;

export interface RetentionOptions {
  dryRun?: boolean;
  /** Between batches: lets the router's own work in (the default yields to the event loop once). */
  pause?: () => Promise<void>;
  /** Stops between batches (shutdown); what was removed stays removed. */
  signal?: AbortSignal;
  log?: Logger;
  /** Where attachment files live: those of removed messages are deleted after the batches. */
  blobs?: BlobStore;
}

/**
 * Applies config/retention.yaml once. A dry run only counts. A run removes
 * in batches of `batchSize` rows, each its own short transaction, so routing
 * goes on between them; then SQLite gives the freed pages back in small steps.
 * Safe to stop at any point and run again.
 */
export async function runRetention(
  store: Store,
  settings: RetentionSettings,
  now: number,
  opts: RetentionOptions = {},
): Promise<RetentionReport> {
  const yieldTo = opts.pause ?? yieldTurn;
  const pause = async () => {
    opts.signal?.throwIfAborted();
    await yieldTo();
  };
  const lines: RetentionLine[] = [];
  let removed = 0;
  for (const rule of retentionRules(settings)) {
    const before = now - parseDuration(rule.olderThan);
    let count = 0;
    let blobs: number | undefined;
    if (opts.dryRun) {
      count = await store.countExpired(rule.kind, rule.scope, before);
      blobs = await store.countExpiredBlobs(rule.kind, rule.scope, before);
    } else
      for (;;) {
        const batch = await store.pruneExpired(rule.kind, rule.scope, before, settings.batchSize);
        if (batch.rows === 0 && batch.conversations === 0) break;
        count += rule.kind === 'resolvedConversations' ? batch.conversations : batch.rows;
        removed += batch.rows;
        await pause();
      }
    lines.push({
      channel: rule.channel,
      kind: rule.kind,
      olderThan: rule.olderThan,
      before,
      count,
      ...(blobs === undefined ? {} : { blobs }),
    });
  }
  // The batches queued their files (src/store/blob-sweeps.ts); a sweep also finishes one an earlier stop cut short.
  const files = opts.dryRun || !opts.blobs ? undefined : await sweepBlobs(store, opts.blobs, opts.log);
  const reclaimedPages = opts.dryRun || removed === 0 ? 0 : await giveSpaceBack(store, pause);
  opts.log?.info({ dryRun: opts.dryRun === true, lines, reclaimedPages, files }, 'retention run finished');
  return { dryRun: opts.dryRun === true, at: now, lines, reclaimedPages, ...(files ? { files } : {}) };
}

async function giveSpaceBack(store: Store, pause: () => Promise<void>): Promise<number> {
  let reclaimed = 0;
  let left = await store.reclaimSpace(0);
  while (left > 0) {
    const next = await store.reclaimSpace(VACUUM_STEP);
    if (next >= left) break;
    reclaimed += left - next;
    left = next;
    await pause();
  }
  return reclaimed;
}
