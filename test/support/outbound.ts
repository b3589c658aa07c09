import type { OutboundMessage } from '../../src/model/types.ts';

let seq = 0;

/**
 * An outbound message as the outbox hands it to an adapter: an automatic bot
 * reply, first attempt; `channel` holds the channel's own fields, `o` the test's.
 */
export function outboundMessage(
  channel: Pick<OutboundMessage, 'channel' | 'touchpoint' | 'destination' | 'text'>,
  o: Partial<OutboundMessage> & { threadKey: string },
): OutboundMessage {
  seq++;
  return {
    id: `out-${seq}`,
    messageId: `msg-${seq}`,
    conversationId: 'conv-1',
    ...channel,
    replyRef: null,
    lastInboundAt: null,
    references: [],
    author: { kind: 'bot' },
    automatic: true,
    attempt: 1,
    ...o,
  };
}
