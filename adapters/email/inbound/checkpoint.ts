import type { ChannelState } from '../../../src/channel/index.ts';

/**
 * How far a mailbox has been read: every message with a UID up to `lastUid`
 * was stored by the core. UIDs only mean something within one UIDVALIDITY,
 * so the pair is kept together; a changed UIDVALIDITY starts over.
 */
export interface Checkpoint {
  /** UIDVALIDITY as a decimal string (it is a 32-bit unsigned number; imapflow gives a bigint). */
  uidValidity: string;
  lastUid: number;
}

export interface CheckpointStore {
  load(): Promise<Checkpoint | null>;
  save(checkpoint: Checkpoint): Promise<void>;
}

export function checkpointKey(m: { imap: { user: string; host: string; port: number }; mailbox: string }): string {
  return `imap:${m.imap.user}@${m.imap.host}:${m.imap.port}/${m.mailbox}`;
}

export function checkpointStore(state: ChannelState, key: string): CheckpointStore {
  return {
    async load() {
      const v = await state.get<Checkpoint>(key);
      if (!v || typeof v.uidValidity !== 'string' || !Number.isSafeInteger(v.lastUid)) return null;
      return v;
    },
    save: (checkpoint) => state.set(key, checkpoint),
  };
}
