import type { DeskAgent } from '../settings.ts';
import type { Where } from './assist.ts';
import type { ThreadStore } from './threads.ts';

/** What a message shortcut was used on: where, the conversation of that desk thread, the message's text. */
export interface ShortcutTarget {
  w: Where;
  conversationId: string;
  /** The root of the desk thread. */
  threadTs: string;
  triggerId: string;
  text: string | undefined;
}

/**
 * Reads a message shortcut's payload. Null (the agent told why, or refused as not an agent)
 * when the presser is no agent or the message is not in a conversation's desk thread.
 */
export async function shortcutTarget(
  body: unknown,
  d: {
    threads: ThreadStore;
    agentOr(w: Where): Promise<DeskAgent | null>;
    refuse(w: Where, text: string): Promise<void>;
  },
): Promise<ShortcutTarget | null> {
  const b = body as {
    channel?: { id?: string };
    user?: { id?: string };
    message?: { ts?: string; thread_ts?: string; text?: string };
    trigger_id?: string;
  };
  const root = b.message?.thread_ts ?? b.message?.ts;
  const w: Where = {
    ...(b.channel?.id ? { channel: b.channel.id } : {}),
    ...(b.user?.id ? { user: b.user.id } : {}),
    ...(root ? { threadTs: root } : {}),
  };
  if (!(await d.agentOr(w))) return null;
  const id = w.channel && root ? await d.threads.conversationOf(w.channel, root) : null;
  if (!id || !root) {
    await d.refuse(w, 'Use this shortcut on a message in a conversation’s desk thread.');
    return null;
  }
  return { w, conversationId: id, threadTs: root, triggerId: String(b.trigger_id), text: b.message?.text };
}
