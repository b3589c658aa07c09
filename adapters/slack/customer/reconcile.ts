import type { OutboundMessage, SendCheck, UnconfirmedSend } from '../../../src/channel/index.ts';
import { asSlackSendError, type WebClient } from '../api/client.ts';
import { OUTBOX_EVENT, target } from './send.ts';

/** Our clock and Slack's may disagree by this much. */
const SKEW_MS = 60_000;
const PAGE = 200;
const MAX_PAGES = 10;

interface Listed {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

interface ListPage {
  messages?: Listed[];
  has_more?: boolean;
  response_metadata?: { next_cursor?: string };
}

/**
 * Whether Slack has an unconfirmed reply: every reply carries the outbox id
 * in its event metadata, so the thread (conversations.replies) or the DM or
 * channel (conversations.history) since the attempt, read with
 * `include_all_metadata`, shows it or not. Needs the `*:history` scopes the
 * app asks for anyway.
 */
export async function reconcileReply(
  client: WebClient,
  m: OutboundMessage,
  attempt: UnconfirmedSend,
): Promise<SendCheck> {
  try {
    const to = await target(client, m);
    const oldest = ((attempt.since - SKEW_MS) / 1000).toFixed(6);
    let cursor: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const common = {
        channel: to.channel,
        oldest,
        include_all_metadata: true,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      };
      const page: ListPage = to.threadTs
        ? await client.conversations.replies({ ...common, ts: to.threadTs })
        : await client.conversations.history(common);
      const hit = page.messages?.find(
        (x) => x.metadata?.event_type === OUTBOX_EVENT && x.metadata.event_payload?.outbox_id === m.id,
      );
      if (hit?.ts) return { state: 'sent', providerId: `${to.channel}:${hit.ts}` };
      cursor = page.response_metadata?.next_cursor || undefined;
      if (!page.has_more || !cursor) return { state: 'not-sent' };
    }
    return { state: 'unknown', reason: `more than ${PAGE * MAX_PAGES} messages in ${to.channel} since` };
  } catch (err) {
    throw asSlackSendError(err);
  }
}
