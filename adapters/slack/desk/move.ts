import type { Conversation, Logger, Message } from '../../../src/channel/index.ts';
import type { WebClient } from '../api/client.ts';
import { esc, fingerprint } from './header.ts';
import type { DeskThread, ThreadStore } from './threads.ts';

/** Messages and notes the summary of a moved thread quotes, at most. */
const LAST = 5;
const QUOTE = 400;
/** The notes the core writes when a conversation changes tier (src/policies/desk-tiers.ts). */
const TIER_NOTE = /^(Escalated to |De-escalated by )/;

const tierLabel = (from: string | null, to: string | null | undefined) =>
  `${from ?? 'first tier'} → ${to ?? 'first tier'}`;

export const tierOf = (c: Conversation): string | null =>
  typeof c.flowState?.tier === 'string' ? c.flowState.tier : null;

const line = (s: string) => {
  const one = s.replaceAll('\n', ' ');
  return esc(one.length > QUOTE ? `${one.slice(0, QUOTE - 1)}…` : one);
};

/** What an agent picking the conversation up in the new thread needs: why it moved, the last messages, the notes. */
export function summaryText(fromChannel: string, tiers: string, messages: Message[], customer: string | null): string {
  const notes = messages.filter((m) => m.visibility === 'internal');
  const why = notes.findLast((m) => TIER_NOTE.test(m.text))?.text ?? `tier ${tiers}`;
  const said = messages.filter((m) => m.visibility === 'customer').slice(-LAST);
  const who = (m: Message) => (m.direction === 'inbound' ? (customer ?? 'customer') : (m.author.name ?? m.author.kind));
  const parts = [
    `:arrows_counterclockwise: *Moved here from <#${fromChannel}>* (${esc(tiers)})`,
    `*Why:* ${line(why)}`,
    said.length ? `*Last messages*\n${said.map((m) => `> *${esc(who(m))}*: ${line(m.text)}`).join('\n')}` : '',
    notes.length
      ? `*Notes*\n${notes
          .slice(-LAST)
          .map((m) => `• ${line(m.text)}`)
          .join('\n')}`
      : '',
  ];
  return parts.filter(Boolean).join('\n');
}

/** The old thread's card once the conversation moved on: what it showed, without its controls, pointing on. */
export function movedCard(blocks: unknown[], to: DeskThread): unknown[] {
  const where = to.permalink ? `<${to.permalink}|its thread in <#${to.channel}>>` : `<#${to.channel}>`;
  return [
    ...blocks.filter((b) => {
      const type = (b as { type?: string }).type;
      return type !== 'actions' && type !== 'context';
    }),
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Moved: continue in ${where}. This card is closed.` }] },
  ];
}

export interface MoveDeps {
  client: WebClient;
  threads: ThreadStore;
  log: Logger;
  /** One Slack call, paced by the outbox limiter on the channel (sync.ts). */
  call<T>(channel: string, fn: () => Promise<T>): Promise<T>;
  header(c: Conversation): Promise<{ text: string; blocks: unknown[] }>;
}

/**
 * Moves a conversation's desk thread to another desk channel when its tier
 * changed: a new thread there (the header card, then a summary), then the old
 * thread's last message pointing on and its card without controls. Each step
 * is saved before the next, so a crash or a 429 resumes where it stopped
 * (a crash right after a post may repeat that post).
 */
export function createThreadMoves(d: MoveDeps) {
  async function permalink(channel: string, ts: string): Promise<string | null> {
    try {
      return (await d.client.chat.getPermalink({ channel, message_ts: ts })).permalink ?? null;
    } catch (err) {
      d.log.warn({ err, channel, ts }, 'no permalink for the moved desk thread; pointing to its channel');
      return null;
    }
  }

  /** The card of a thread the conversation moved away from: what it shows now, without controls, pointing to `to`. */
  async function closeCard(old: { channel: string; ts: string }, c: Conversation, to: DeskThread) {
    const h = await d.header(c);
    await d.call(old.channel, () =>
      d.client.chat.update({
        channel: old.channel,
        ts: old.ts,
        text: `${h.text} (moved)`,
        blocks: movedCard(h.blocks, to) as never,
      }),
    );
  }

  /** Finishes a move begun earlier (after the new card was posted). */
  async function finish(t: DeskThread, c: Conversation, messages: Message[], customer: string | null) {
    const m = t.moving;
    if (!m) return t;
    let next = t;
    if (!m.summary) {
      const text = summaryText(m.channel, tierLabel(m.fromTier, t.tier), messages, customer);
      await d.call(t.channel, () =>
        d.client.chat.postMessage({ channel: t.channel, thread_ts: t.ts, text, unfurl_links: false }),
      );
      next = { ...next, moving: { ...m, summary: true } };
      await d.threads.save(next);
    }
    const where = next.permalink ? `<${next.permalink}|this thread in <#${next.channel}>>` : `<#${next.channel}>`;
    await d.call(m.channel, () =>
      d.client.chat.postMessage({
        channel: m.channel,
        thread_ts: m.ts,
        text: `:arrow_right: Moved to <#${next.channel}> (${esc(tierLabel(m.fromTier, next.tier))}): continue in ${where}. Replies here no longer reach the customer.`,
        unfurl_links: false,
      }),
    );
    await closeCard(m, c, next);
    const { moving: _done, ...rest } = next;
    await d.threads.save(rest);
    d.log.info(
      { conversationId: c.id, from: m.channel, to: next.channel, tier: next.tier ?? null },
      'desk thread moved',
    );
    return rest;
  }

  /** Opens the conversation's thread in `channel` and moves it there. */
  async function move(t: DeskThread, c: Conversation, messages: Message[], channel: string, customer: string | null) {
    const h = await d.header(c);
    const res = await d.call(channel, () =>
      d.client.chat.postMessage({ channel, text: h.text, blocks: h.blocks as never, unfurl_links: false }),
    );
    if (!res.ts) throw new Error(`Slack returned no ts for the header card in ${channel}`);
    const to = res.channel ?? channel;
    const next: DeskThread = {
      conversationId: c.id,
      channel: to,
      ts: res.ts,
      header: fingerprint(h.blocks),
      // the summary stands for what came before; later messages are mirrored as usual
      cursor: messages.at(-1)?.id ?? t.cursor,
      failures: t.failures,
      earlier: [...(t.earlier ?? []), { channel: t.channel, ts: t.ts }],
      tier: tierOf(c),
      permalink: await permalink(to, res.ts),
      moving: { channel: t.channel, ts: t.ts, fromTier: t.tier ?? null, summary: false },
    };
    await d.threads.save(next);
    return finish(next, c, messages, customer);
  }

  return { move, finish, closeCard };
}
