import type { StartedThread, StartThreadRequest } from '../channel/contract.ts';
import type { Contact, Conversation } from '../model/types.ts';
import type { StoreTx } from '../store/contract.ts';
import { newConversation } from '../store/new-conversation.ts';

/** Starts a thread on a channel, as the channel directory does; null when the channel cannot reach that identity. */
export type StartThread = (channel: string, request: StartThreadRequest) => StartedThread | null;

/** Which identity kinds a code can go to on each channel (WhatsApp outside 24 hours needs a template: not here). */
const KINDS_BY_CHANNEL: Record<string, readonly string[]> = { email: ['email'], sms: ['phone'] };

/**
 * Where a `verify` step's code can go: the contact's conversations, plus —
 * when none of them is on a `via` channel — a new one opened to an email
 * address or number on file, on the first `via` channel that can start it.
 * The code then goes to what is on file even when the customer never wrote
 * there. The new conversation is resolved: it stays out of the agents' queue
 * until the customer answers on it.
 */
export async function reachForVerify(
  tx: StoreTx,
  o: {
    contact: Contact;
    current: string;
    via: readonly string[];
    theirs: Conversation[];
    startThread: StartThread | undefined;
    now: number;
  },
): Promise<Conversation[]> {
  const elsewhere = o.theirs.filter((c) => c.id !== o.current);
  if (!o.startThread || o.via.some((ch) => elsewhere.some((c) => c.touchpoint.channel === ch))) return o.theirs;
  const identities = await tx.listIdentities(o.contact.id);
  for (const channel of o.via) {
    const kinds = KINDS_BY_CHANNEL[channel] ?? [];
    for (const identity of identities.filter((i) => kinds.includes(i.kind))) {
      const started = o.startThread(channel, { to: { kind: identity.kind, value: identity.value } });
      if (!started) continue;
      const opened = await tx.createConversation(
        newConversation(o.contact.id, started.touchpoint, started.threadKey, {
          status: 'resolved',
          replyRef: started.replyRef,
        }),
        o.now,
      );
      return [opened, ...o.theirs];
    }
  }
  return o.theirs;
}
