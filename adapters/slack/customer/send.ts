import { type OutboundMessage, permanent, type SendResult } from '../../../src/channel/index.ts';
import { asSlackSendError, type WebClient } from '../api/client.ts';
import { qaPostBlocks } from '../qa/post.ts';
import { choiceBlocks } from './choices.ts';
import { parseThreadKey } from './thread.ts';

/** Slack's own limit on a message's text. */
export const MAX_TEXT = 40_000;

/**
 * The event metadata every reply carries: the outbox id, so a send that was
 * never recorded can be found again in the channel (reconcile.ts).
 */
export const OUTBOX_EVENT = 'touchpoint_outbox';

/** Where a reply goes: the DM or channel, and the Slack thread to keep it in. */
export async function target(client: WebClient, m: OutboundMessage): Promise<{ channel: string; threadTs?: string }> {
  const ref = m.replyRef ?? {};
  const t = parseThreadKey(m.threadKey);
  if (!t) throw permanent(`not a Slack thread key: ${m.threadKey}`, 'bad_thread_key');
  if (t.kind === 'channel') {
    const threadTs = typeof ref.threadTs === 'string' ? ref.threadTs : t.rootTs;
    return { channel: typeof ref.channel === 'string' ? ref.channel : t.channel, threadTs };
  }
  if (t.kind === 'post') return { channel: t.channel };
  if (typeof ref.channel === 'string') return { channel: ref.channel };
  // A DM the core started (a move from a public channel): open it first.
  const opened = await client.conversations.open({ users: t.user });
  const id = opened.channel?.id;
  if (!id) throw permanent(`Slack opened no DM with ${t.user}`, 'no_dm');
  return { channel: id };
}

/** Sends one reply to a customer in Slack. Throws SendError. */
export async function sendToCustomer(client: WebClient, m: OutboundMessage): Promise<SendResult> {
  try {
    const to = await target(client, m);
    const blocks = choiceBlocks(m) ?? qaPostBlocks(m);
    const res = await client.chat.postMessage({
      channel: to.channel,
      text: m.text.slice(0, MAX_TEXT),
      ...(blocks ? { blocks: blocks as never } : {}),
      ...(to.threadTs ? { thread_ts: to.threadTs } : {}),
      unfurl_links: false,
      metadata: { event_type: OUTBOX_EVENT, event_payload: { outbox_id: m.id } },
    });
    return { providerId: res.ts ? `${res.channel ?? to.channel}:${res.ts}` : null };
  } catch (err) {
    throw asSlackSendError(err);
  }
}
