import { postToBoard } from '../policies/board.ts';
import type { PolicyKit } from '../policies/kit.ts';
import type { Broadcast, BroadcastOutcomes, BroadcastProgress } from '../store/broadcast-records.ts';
import type { StoreTx } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';

/**
 * The desk's summary of a broadcast: when it starts, pauses, resumes, is
 * cancelled and is done, one post in the desk channel (router.yaml
 * `broadcasts.desk`, else crisis.yaml's `desk`). The transaction that changes
 * the broadcast's status also schedules a `broadcast.summary` timer; the
 * timer's own transaction writes the post into the outbox. So each change
 * posts once, whichever instance makes it, and a restart neither loses nor
 * repeats a post.
 */

export const BROADCAST_SUMMARY = 'broadcast.summary';

export type SummaryEvent = 'started' | 'paused' | 'resumed' | 'cancelled' | 'done';

/** In the transaction that moved the broadcast: its summary is due now. */
export async function scheduleSummary(tx: StoreTx, broadcastId: string, event: SummaryEvent, now: number) {
  await tx.scheduleTimer({ kind: BROADCAST_SUMMARY, dueAt: now, payload: { broadcast: broadcastId, event } }, now);
}

const WORDS: Record<SummaryEvent, string> = {
  started: 'started',
  paused: 'was paused',
  resumed: 'was resumed',
  cancelled: 'was cancelled',
  done: 'is done',
};

/** Skipped and waiting recipients by why: the reasons send-one.ts and first contact keep for each. */
export function skipsOf(outcomes: BroadcastOutcomes): {
  optedOut: number;
  noConsent: number;
  quietHours: number;
  other: number;
} {
  const out = { optedOut: 0, noConsent: 0, quietHours: 0, other: 0 };
  for (const r of outcomes.reasons) {
    const kind =
      r.status === 'pending' || /calendar does not open/.test(r.reason)
        ? 'quietHours'
        : /opted out|unsubscribed/.test(r.reason)
          ? 'optedOut'
          : /consent/.test(r.reason)
            ? 'noConsent'
            : 'other';
    out[kind] += r.recipients;
  }
  return out;
}

const n = (x: number) => x.toLocaleString('en-GB');

/** The post's text: name, segment size, sent / skipped by why / failed, replies so far. */
export function summaryText(
  b: Broadcast,
  event: SummaryEvent,
  segment: number,
  p: BroadcastProgress,
  outcomes: BroadcastOutcomes,
): string {
  const head = `:mega: Broadcast "${b.name}" on ${b.channel} ${WORDS[event]}`;
  if (event === 'started') return `${head}: ${n(segment)} contacts in the segment. (${b.id})`;
  const s = skipsOf(outcomes);
  const why = [
    s.optedOut ? `${n(s.optedOut)} opted out` : '',
    s.noConsent ? `${n(s.noConsent)} without consent` : '',
    s.other ? `${n(s.other)} other` : '',
  ].filter((x) => x !== '');
  const lines = [
    `${head}: ${n(p.recipients)} recipients of ${n(segment)} contacts in the segment.`,
    `Sent ${n(p.sent)}, skipped ${n(p.skipped)}${why.length > 0 ? ` (${why.join(', ')})` : ''}, failed ${n(p.failed)}` +
      `${p.cancelled ? `, cancelled ${n(p.cancelled)}` : ''}${p.waiting ? `, in the outbox ${n(p.waiting)}` : ''}` +
      `${p.pending ? `, not yet sent ${n(p.pending)}` : ''}${s.quietHours ? ` (${n(s.quietHours)} waiting for quiet hours to end)` : ''}.`,
    `${n(outcomes.replied)} replied so far. (${b.id})`,
  ];
  return lines.join('\n');
}

export function createBroadcastSummaryHandlers(kit: PolicyKit): Record<string, TimerHandler> {
  return {
    [BROADCAST_SUMMARY]: async (timer, tx) => {
      const board = kit.settings.router.broadcasts.desk ?? kit.policies.crisis.desk;
      if (!board) return;
      const b = await tx.getBroadcast(String(timer.payload.broadcast ?? ''));
      if (!b) return;
      const event = String(timer.payload.event ?? 'started') as SummaryEvent;
      const [segment, progress, outcomes] = [
        await tx.segmentSize(b.segment),
        await tx.broadcastProgress(b.id),
        await tx.broadcastOutcomes(b.id),
      ];
      const text = summaryText(b, event, segment, progress, outcomes);
      const now = kit.clock.now();
      if (!(await postToBoard(tx, kit, board, text, now)))
        kit.log.warn({ board }, 'a broadcast summary cannot be posted: the desk channel cannot reach that address');
    },
  };
}
