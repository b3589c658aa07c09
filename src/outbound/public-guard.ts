import type { Message } from '../model/types.ts';
import type { StoreTx } from '../store/contract.ts';
import {
  createPersonalDataDetector,
  type DetectorOptions,
  describeFindings,
  type PersonalDataDetector,
} from './personal-data.ts';

/**
 * The guard on every public send: the outbound chain asks it before a message for a
 * public touchpoint is queued. A refused message is kept as an internal note
 * and a `handoff.divert` timer, written in the same transaction, delivers its
 * text on a private route instead (see handoff-timers.ts).
 */
export interface PublicSendGuard {
  /** Why `text` may not be posted in public ("contains a phone number"), or null when it may. */
  inspect(text: string): string | null;
}

export const DIVERT_TIMER = 'handoff.divert';

export function guardFrom(detector: PersonalDataDetector): PublicSendGuard {
  return {
    inspect(text) {
      const found = detector.find(text);
      return found.length === 0 ? null : `contains ${describeFindings(found)}`;
    },
  };
}

/** The guard of handoff.yaml: the built-in detectors plus its own patterns and allowed values. */
export function createPublicSendGuard(handoff: { guard: DetectorOptions }): PublicSendGuard {
  return guardFrom(createPersonalDataDetector(handoff.guard));
}

/** The built-in detectors, for senders that were not given the configured guard. */
export const builtInPublicGuard: PublicSendGuard = guardFrom(createPersonalDataDetector());

export interface DivertPayload extends Record<string, unknown> {
  messageId: string;
  text: string;
  author: Message['author'];
  reason: string;
}

/** Schedules the private delivery of a refused public message, in the caller's transaction. */
export async function divertRefused(
  tx: StoreTx,
  conversationId: string,
  payload: DivertPayload,
  now: number,
): Promise<void> {
  await tx.scheduleTimer(
    { kind: DIVERT_TIMER, conversationId, dueAt: now, key: `divert:${payload.messageId}`, payload },
    now,
  );
}
