import { type APIMessage, type APIUser, Routes, SnowflakeUtil } from 'discord.js';
import type { OutboundMessage, SendCheck, UnconfirmedSend } from '../../../src/channel/index.ts';
import { toSendError } from './errors.ts';
import { type SendContext, targetOf } from './send.ts';

/** Our clock and Discord's may disagree by this much. */
const SKEW_MS = 60_000;
const PAGE = 100;
const MAX_PAGES = 10;

/**
 * Whether Discord has an unconfirmed reply. Its nonce cannot be looked up
 * (Discord returns it only in the create answer and the gateway event), so the
 * channel's messages since the attempt are read, oldest first, and the bot's
 * own are matched on each part's content in order, the first part also on the
 * message it answers; ids the core already recorded never count. All parts
 * found: sent; none: not sent (the resend carries the same nonces, which
 * Discord deduplicates for a few minutes anyway); some: unknown.
 */
export async function reconcileOutbound(
  ctx: SendContext,
  msg: OutboundMessage,
  attempt: UnconfirmedSend,
): Promise<SendCheck> {
  try {
    const { channelId, parts, answered } = await targetOf(ctx, msg);
    const botId = await botIdOf(ctx);
    const listed = await listSince(ctx, channelId, attempt.since - SKEW_MS);
    if (!listed) return { state: 'unknown', reason: `more than ${PAGE * MAX_PAGES} messages in the channel since` };
    const known = new Set(attempt.knownProviderIds);
    const ids: string[] = [];
    for (const m of listed) {
      const i = ids.length;
      if (i === parts.length) break;
      if (m.author.id !== botId || known.has(m.id) || m.content !== parts[i]) continue;
      if (i === 0 && answered && m.message_reference?.message_id !== answered) continue;
      ids.push(m.id);
    }
    if (ids.length === parts.length) return { state: 'sent', providerId: ids[0] ?? null };
    if (ids.length === 0) return { state: 'not-sent' };
    return { state: 'unknown', reason: `${ids.length} of its ${parts.length} parts were posted` };
  } catch (err) {
    throw toSendError(err);
  }
}

async function botIdOf(ctx: SendContext): Promise<string> {
  ctx.botId ??= ((await ctx.rest.get(Routes.user())) as APIUser).id;
  return ctx.botId;
}

/** The channel's messages created at `since` or later, oldest first; null when there are too many to read. */
async function listSince(ctx: SendContext, channelId: string, since: number): Promise<APIMessage[] | null> {
  const out: APIMessage[] = [];
  let after = SnowflakeUtil.generate({ timestamp: Math.max(since, 1_420_070_400_000) }).toString();
  for (let n = 0; n < MAX_PAGES; n++) {
    const query = new URLSearchParams({ after, limit: String(PAGE) });
    const page = (await ctx.rest.get(Routes.channelMessages(channelId), { query })) as APIMessage[];
    // Newest first within a page, the page itself the next ones after `after`.
    const oldestFirst = [...page].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    out.push(...oldestFirst);
    const last = oldestFirst.at(-1);
    if (page.length < PAGE || !last) return out;
    after = last.id;
  }
  return null;
}
