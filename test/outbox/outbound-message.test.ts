import { describe, expect, it } from 'vitest';
import { transient } from '../../src/errors.ts';
import type { Conversation, Message } from '../../src/model/types.ts';
import { buildOutbound, describeSendError } from '../../src/outbox/outbound-message.ts';
import type { OutboxJob } from '../../src/store/contract.ts';

const job = { id: 'ob-1', channel: 'email', destination: 'ann@example.com', attempts: 2 } as OutboxJob;
const conversation = {
  id: 'conv-1',
  touchpoint: { channel: 'email', kind: 'email', visibility: 'private' },
  threadKey: 't-1',
  replyRef: { messageId: '<in-1@example.com>' },
  lastInboundAt: 1_000,
} as unknown as Conversation;
const message = (over: Partial<Message> = {}) =>
  ({ id: 'm-1', text: 'Hello', attachments: [], author: { kind: 'bot' }, ...over }) as Message;

describe('the message an adapter is handed', () => {
  it('carries the row’s destination and attempt, the conversation’s thread and reply reference', () => {
    const out = buildOutbound(job, { message: message(), conversation, references: ['<a@x>'] });
    expect(out).toEqual({
      id: 'ob-1',
      messageId: 'm-1',
      conversationId: 'conv-1',
      channel: 'email',
      touchpoint: conversation.touchpoint,
      threadKey: 't-1',
      destination: 'ann@example.com',
      text: 'Hello',
      replyRef: { messageId: '<in-1@example.com>' },
      lastInboundAt: 1_000,
      references: ['<a@x>'],
      author: { kind: 'bot' },
      automatic: true,
      attempt: 3,
    });
  });

  it('carries parts and attachments only when the message has them, and its own reply reference first', () => {
    const file = { url: 'https://example.com/menu.pdf', name: 'menu.pdf', contentType: 'application/pdf' };
    const out = buildOutbound(job, {
      message: message({ parts: [{ type: 'choices', options: ['A'] }], attachments: [file], replyRef: { id: 'r' } }),
      conversation,
      references: [],
    });
    expect(out.parts).toEqual([{ type: 'choices', options: ['A'] }]);
    expect(out.attachments).toEqual([file]);
    expect(out.replyRef).toEqual({ id: 'r' });
    expect('attachments' in buildOutbound(job, { message: message(), conversation, references: [] })).toBe(false);
  });

  it('marks bot and system messages automatic, and a person’s not', () => {
    const automatic = (kind: Message['author']['kind']) =>
      buildOutbound(job, { message: message({ author: { kind } }), conversation, references: [] }).automatic;
    expect([automatic('bot'), automatic('system'), automatic('agent')]).toEqual([true, true, false]);
  });

  it('describes a send failure with its kind and the provider’s code when there is one', () => {
    expect(describeSendError(transient('503 from provider', null, 503))).toBe(
      'transient: 503 from provider (provider code 503)',
    );
    expect(describeSendError(transient('socket hang up'))).toBe('transient: socket hang up');
  });
});
