import { describe, expect, it } from 'vitest';
import { capReferences, idsIn, normalizeMessageId, ownMessageId } from '../../../adapters/email/message-ids.ts';
import { readReplyRef } from '../../../adapters/email/reply-ref.ts';
import {
  parseThreadKey,
  plusAddress,
  threadKeyOf,
  threadToken,
  tokenFromRecipients,
} from '../../../adapters/email/thread-key.ts';

describe('thread keys', () => {
  it('round-trip sender and token', () => {
    const token = threadToken('<root@example.test>');
    expect(token).toMatch(/^[0-9a-f]{16}$/);
    const key = threadKeyOf('Carla@Example.test', token);
    expect(key).toBe(`email:carla@example.test:${token}`);
    expect(parseThreadKey(key)).toEqual({ sender: 'carla@example.test', token });
  });

  it('reject keys this adapter did not build', () => {
    expect(parseThreadKey('sms:+4420')).toBeNull();
    expect(parseThreadKey('email:carla@example.test:not-a-token')).toBeNull();
    expect(parseThreadKey('email:no-at-sign:0123456789abcdef')).toBeNull();
  });

  it('put the token in a plus address and find it again among recipients', () => {
    const token = threadToken('<root@example.test>');
    const reply = plusAddress('support@shop.test', token);
    expect(reply).toBe(`support+${token}@shop.test`);
    expect(tokenFromRecipients(['x@example.test', reply.toUpperCase()], 'support@shop.test')).toBe(token);
  });

  it('ignore plus details we did not mint and other domains', () => {
    expect(tokenFromRecipients(['support+sales@shop.test'], 'support@shop.test')).toBeNull();
    expect(tokenFromRecipients(['support+0123456789abcdef@other.test'], 'support@shop.test')).toBeNull();
    expect(tokenFromRecipients(['help+0123456789abcdef@shop.test'], 'support@shop.test')).toBeNull();
  });
});

describe('message ids', () => {
  it('normalise to the bracketed header form', () => {
    expect(normalizeMessageId(' <a@b> ')).toBe('<a@b>');
    expect(normalizeMessageId('a@b')).toBe('<a@b>');
    expect(normalizeMessageId('')).toBeNull();
    expect(normalizeMessageId(undefined)).toBeNull();
  });

  it('are read from References in order, without repeats', () => {
    expect(idsIn('<a@x>\r\n <b@x> <a@x>')).toEqual(['<a@x>', '<b@x>']);
    expect(idsIn(['<a@x>', '<c@x>'])).toEqual(['<a@x>', '<c@x>']);
    expect(idsIn('bare@x')).toEqual(['<bare@x>']);
    expect(idsIn(undefined)).toEqual([]);
  });

  it('of our own are stable per outbox row and safe in a header', () => {
    expect(ownMessageId('0abc123', 'shop.test')).toBe('<0abc123@shop.test>');
    expect(ownMessageId('a b<c>', 'shop.test')).toBe('<a_b_c_@shop.test>');
  });

  it('keep the root and the newest when References grow long', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `<${i}@x>`);
    const capped = capReferences(ids, 5);
    expect(capped).toEqual(['<0@x>', '<26@x>', '<27@x>', '<28@x>', '<29@x>']);
  });
});

describe('readReplyRef', () => {
  it('accepts what the inbound side writes and refuses other shapes', () => {
    const ref = { to: 'c@example.test', name: null, subject: 'Hi', messageId: '<m@x>', references: ['<m@x>'] };
    expect(readReplyRef(ref)).toEqual(ref);
    expect(readReplyRef({ inbound: 'x' })).toBeNull();
    expect(readReplyRef(null)).toBeNull();
  });
});
