import type { Conversation } from '../../../src/channel/index.ts';
import type { WebClient } from '../api/client.ts';
import type { DeskThread } from './threads.ts';

/** An erased conversation (or one retention emptied) is an anonymous shell: its thread must not keep their words. */
export const isEmptied = (c: Conversation): boolean =>
  c.threadKey.startsWith('erased:') || c.threadKey.startsWith('expired:');

const PAGE = 200;
const MAX_PAGES = 50;

/**
 * Deletes what the bot posted in the thread under the header card (the
 * mirrored messages, notes and notices); the header itself is updated by the
 * sync to the anonymous shell. Messages agents wrote in Slack are theirs:
 * a bot token cannot delete them. Deleting what is gone already is no error,
 * so a repeat after a crash finishes the job.
 */
export async function clearThread(
  t: DeskThread,
  client: WebClient,
  call: <T>(channel: string, fn: () => Promise<T>) => Promise<T>,
): Promise<number> {
  const own = new Set<string>();
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await call(t.channel, () =>
      client.conversations.replies({ channel: t.channel, ts: t.ts, limit: PAGE, ...(cursor ? { cursor } : {}) }),
    );
    for (const m of page.messages ?? []) if (m.ts && m.ts !== t.ts && m.bot_id) own.add(m.ts);
    cursor = page.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  let deleted = 0;
  for (const ts of own) {
    try {
      await call(t.channel, () => client.chat.delete({ channel: t.channel, ts }));
      deleted++;
    } catch (err) {
      if ((err as { data?: { error?: string } }).data?.error !== 'message_not_found') throw err;
    }
  }
  return deleted;
}
