import type { MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message.js';
import type { OutboundMessage, SendCheck, UnconfirmedSend } from '../../../src/channel/index.ts';
import { type ResponseProbe, withProbe } from './client.ts';
import { toSendError } from './errors.ts';
import { partsKey, type SendContext } from './send.ts';

/** Our clock and Twilio's may disagree by this much; `date_created` has whole seconds. */
const SKEW_MS = 60_000;
const PAGE_SIZE = 100;
const MAX_PAGES = 10;

/** The part of the twilio client's MessagePage read here. */
interface ListPage {
  instances: Array<{ sid: string; body: string; dateCreated: Date }>;
  nextPage(): Promise<ListPage> | undefined;
}

interface Listed {
  sid: string;
  body: string;
}

/**
 * Whether Twilio already has an unconfirmed send: the Messages list for the
 * thread's From and To, newest first, back to the attempt (less clock skew),
 * matched on the body of each part in order. Twilio has no idempotency key,
 * so the body is what identifies the message; the sids the core recorded for
 * the conversation are never taken for it. No `DateSent` filter: a message
 * still queued at Twilio has no `date_sent` and would be missed. Templates
 * (rendered by Twilio) and media-only messages have no body to match: unknown.
 * Parts found of a split reply are remembered, so the resend sends only the rest.
 */
export async function reconcileOutbound(
  ctx: SendContext,
  plan: MessageListInstanceCreateOptions[],
  msg: OutboundMessage,
  attempt: UnconfirmedSend,
): Promise<SendCheck> {
  const first = plan[0];
  if (!first || plan.some((p) => typeof p.body !== 'string' || p.body === '')) {
    return { state: 'unknown', reason: 'a template or media-only message has no text of ours to look for' };
  }
  const listed = await listSince(ctx, String(first.to), String(first.from), attempt.since - SKEW_MS);
  if (!listed) return { state: 'unknown', reason: `more than ${PAGE_SIZE * MAX_PAGES} messages to this number since` };
  const tracked = plan.length > 1 && ctx.state !== null;
  const sids = tracked ? ((await ctx.state?.get<string[]>(partsKey(msg))) ?? []) : [];
  const taken = new Set([...attempt.knownProviderIds, ...sids]);
  for (const m of listed) {
    const part = plan[sids.length];
    if (!part) break;
    if (taken.has(m.sid) || m.body !== part.body) continue;
    sids.push(m.sid);
    taken.add(m.sid);
  }
  if (sids.length === plan.length) return { state: 'sent', providerId: sids[0] ?? null };
  if (tracked && sids.length > 0) await ctx.state?.set(partsKey(msg), sids);
  return { state: 'not-sent' };
}

/** Messages from `from` to `to` created at `since` or later, oldest first; null when there are too many to read. */
async function listSince(ctx: SendContext, to: string, from: string, since: number): Promise<Listed[] | null> {
  const probe: ResponseProbe = { status: null, retryAfterMs: null };
  try {
    return await withProbe(probe, async () => {
      const out: Listed[] = [];
      let page: ListPage = await ctx.client.messages.page({ to, from, pageSize: PAGE_SIZE });
      for (let n = 1; ; n++) {
        for (const m of page.instances) {
          if (m.dateCreated.getTime() < since) return out.reverse();
          out.push({ sid: m.sid, body: m.body });
        }
        const next = page.nextPage();
        if (!next) return out.reverse();
        if (n >= MAX_PAGES) return null;
        page = await next;
      }
    });
  } catch (err) {
    throw toSendError(err, probe);
  }
}
