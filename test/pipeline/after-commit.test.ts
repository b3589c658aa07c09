import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/bus.ts';
import type { MessageEvent } from '../../src/channel/host.ts';
import type { Routed } from '../../src/decide/route-event.ts';
import { rateLimited, transient } from '../../src/errors.ts';
import type { Conversation, Message } from '../../src/model/types.ts';
import { QUEUE_SHOWN_AFTER_MS } from '../../src/outbox/queue-wait.ts';
import type { DeskNotice } from '../../src/people/desk-events.ts';
import { createAfterCommit } from '../../src/pipeline/after-commit.ts';
import type { AdoptedOutbound, OutboxJob } from '../../src/store/contract.ts';

/** What live clients, the desk and the workers hear once a decision is committed. */
function parts() {
  const heard = { live: [] as string[], desk: [] as DeskNotice[], adopted: [] as string[], kicks: 0, timerKicks: 0 };
  const messages = new Bus<MessageEvent>();
  const desk = new Bus<DeskNotice>();
  messages.subscribe((e) => heard.live.push(`${e.channel}/${e.threadKey}: ${e.message.text}`));
  desk.subscribe((n) => heard.desk.push(n));
  const after = createAfterCommit({
    outbox: {
      adopt: (rows) => heard.adopted.push(...rows.map((r) => r.job.id)),
      kick: () => {
        heard.kicks++;
      },
    },
    timers: {
      kick: () => {
        heard.timerKicks++;
      },
    },
    messages,
    desk,
  });
  return { heard, after };
}

const msg = (text: string, visibility: Message['visibility'] = 'customer') => ({ text, visibility }) as Message;
const job = (over: Partial<OutboxJob> = {}) =>
  ({ id: 'job-1', messageId: 'm-1', conversationId: 'conv-1', attempts: 0, ...over }) as OutboxJob;
const routed = (over: Partial<Routed> = {}): Routed => ({
  conversationId: 'conv-1',
  channel: 'sms',
  threadKey: '+1555',
  messages: [msg('hi'), msg('note', 'internal'), msg('Hello!')],
  events: [{ type: 'handoff' }],
  queued: 1,
  ...over,
});

describe('after a decision is committed', () => {
  it('shows live clients the customer-visible messages only, tells the desk, and wakes the outbox for rows to claim', () => {
    const { heard, after } = parts();
    after.routed([routed(), routed({ conversationId: null, messages: [], events: [], queued: 0 })], []);
    expect(heard.live).toEqual(['sms/+1555: hi', 'sms/+1555: Hello!']);
    expect(heard.desk).toEqual([{ conversationId: 'conv-1', cause: 'inbound', events: ['handoff'] }]);
    expect(heard.kicks).toBe(1);
  });

  it('hands adopted rows to the outbox and does not wake it for them alone', () => {
    const { heard, after } = parts();
    const adopted = [{ job: job({ id: 'job-9' }) } as AdoptedOutbound];
    after.routed([routed({ queued: 1 })], adopted);
    expect(heard.adopted).toEqual(['job-9']);
    expect(heard.kicks).toBe(0);
    after.routed([routed({ queued: 2 })], adopted);
    expect(heard.kicks).toBe(1);
  });

  it('a flow’s decision reaches live clients and the desk, and wakes the outbox and the timers', () => {
    const { heard, after } = parts();
    const conversation = { id: 'conv-2', touchpoint: { channel: 'chat' }, threadKey: 't-2' } as Conversation;
    after.written({ conversation, messages: [msg('Reminder'), msg('x', 'internal')], events: [] });
    expect(heard.live).toEqual(['chat/t-2: Reminder']);
    expect(heard.desk).toEqual([{ conversationId: 'conv-2', cause: 'flow', events: [] }]);
    expect([heard.kicks, heard.timerKicks]).toEqual([1, 1]);
    after.agentMessages(conversation, [msg('From Sam')]);
    expect(heard.live.at(-1)).toBe('chat/t-2: From Sam');
    expect([heard.kicks, heard.timerKicks]).toEqual([2, 1]);
  });

  it('tells the desk of dead letters, unconfirmed sends and retries, counting attempts as the outbox does', () => {
    const { heard, after } = parts();
    after.deadLettered(job());
    after.unconfirmed(job());
    after.retrying(job({ attempts: 2 }), transient('503 from provider'), 5_000);
    after.retrying(job({ attempts: 2 }), rateLimited('429', 1_000), 6_000);
    expect(heard.desk).toEqual([
      { conversationId: 'conv-1', cause: 'delivery', events: [] },
      { conversationId: 'conv-1', cause: 'delivery', events: ['delivery.unconfirmed'] },
      {
        conversationId: 'conv-1',
        cause: 'delivery',
        events: [],
        retry: { messageId: 'm-1', attempt: 3, failure: 'transient', error: '503 from provider', nextAt: 5_000 },
      },
      {
        conversationId: 'conv-1',
        cause: 'delivery',
        events: [],
        retry: { messageId: 'm-1', attempt: 2, failure: 'rate_limited', error: '429', nextAt: 6_000 },
      },
    ]);
  });

  it('tells the desk a reply was delivered only when it had been shown as queued (waited the threshold or more)', () => {
    const { heard, after } = parts();
    after.delivered(job({ dueAt: 1_000 }), 1_000 + QUEUE_SHOWN_AFTER_MS - 1);
    expect(heard.desk).toEqual([]);
    after.delivered(job({ dueAt: 1_000 }), 1_000 + QUEUE_SHOWN_AFTER_MS);
    expect(heard.desk).toEqual([{ conversationId: 'conv-1', cause: 'delivery', events: [] }]);
  });
});
