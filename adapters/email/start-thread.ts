import { randomBytes } from 'node:crypto';
import type { StartedThread, StartThreadRequest } from '../../src/channel/index.ts';
import type { EmailReplyRef } from './reply-ref.ts';
import { threadKeyOf } from './thread-key.ts';

/**
 * A mail we write first (a verification code, a follow-up to someone who never
 * wrote): a thread of its own with a fresh token, so the customer's answer to
 * our plus address finds it. Only to an email identity.
 */
export function startEmailThread(request: StartThreadRequest): StartedThread | null {
  const to = request.to;
  if (request.privateReplyTo || to.kind !== 'email' || !to.value.includes('@')) return null;
  const address = to.value.toLowerCase();
  const replyRef: EmailReplyRef = { to: address, name: null, subject: '', messageId: null, references: [] };
  return {
    threadKey: threadKeyOf(address, randomBytes(8).toString('hex')),
    touchpoint: { channel: 'email', kind: 'email', visibility: 'private' },
    replyRef: { ...replyRef },
  };
}
