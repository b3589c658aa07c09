import type { OutboundMessage } from '../../../../src/model/types.ts';

let n = 0;

/** An outbound message as the outbox hands it over; `id` is the outbox row id. */
export function outbound(over: Partial<OutboundMessage> & Pick<OutboundMessage, 'threadKey'>): OutboundMessage {
  n++;
  return {
    id: `0outbox${String(n).padStart(15, '0')}`,
    messageId: `msg-${n}`,
    conversationId: 'conv-1',
    channel: 'discord',
    touchpoint: { channel: 'discord', kind: 'discord.channel', visibility: 'public' },
    destination: 'x',
    text: 'A loaf is £4.',
    replyRef: null,
    lastInboundAt: null,
    references: [],
    author: { kind: 'bot', name: 'Shop' },
    automatic: true,
    attempt: 1,
    ...over,
  };
}
