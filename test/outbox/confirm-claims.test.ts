import { describe, expect, it } from 'vitest';
import type { ChannelAdapter, OutboundMessage, SendCheck, UnconfirmedSend } from '../../src/channel/index.ts';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createConfirmer } from '../../src/outbox/unconfirmed.ts';
import type { OutboxJob, Store } from '../../src/store/contract.ts';

/** A provider that holds one message of these words, SM1: any look-up that does not already know SM1 finds it. */
function providerWithOneCopy(): ChannelAdapter {
  return {
    capabilities: { idempotentSend: false },
    async reconcile(_m: OutboundMessage, attempt: UnconfirmedSend): Promise<SendCheck> {
      await new Promise((r) => setTimeout(r, 5)); // both look-ups are under way before either answers
      return attempt.knownProviderIds.includes('SM1') ? { state: 'not-sent' } : { state: 'sent', providerId: 'SM1' };
    },
  } as unknown as ChannelAdapter;
}

const job = (id: string) =>
  ({ id, channel: 'sms', conversationId: `c-${id}`, attemptedAt: 1, createdAt: 1 }) as OutboxJob;
const message = (id: string) => ({ id, text: 'Thanks, see you Saturday!' }) as OutboundMessage;

describe('unconfirmed sends looked up side by side', () => {
  it('match one message found at the provider to one send only: the other is sent', async () => {
    const store = { sentProviderIds: async () => [] } as unknown as Store;
    const confirmer = createConfirmer({ store, clock: new VirtualClock(0), log: silentLogger, policy: 'resend' });
    const adapter = providerWithOneCopy();
    const [a, b] = await Promise.all([
      confirmer.confirm(adapter, job('a'), message('a')),
      confirmer.confirm(adapter, job('b'), message('b')),
    ]);
    expect([a.kind, b.kind].sort()).toEqual(['send', 'sent']);
  });
});
