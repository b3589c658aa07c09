import type { StartedThread, StartThreadRequest } from '../channel/contract.ts';
import { normaliseEmail, normalisePhone } from '../contacts/identity-values.ts';
import type { Contact, Conversation, ConversationStatus, IdentityRef } from '../model/types.ts';
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

/** Where a code to an address the customer gave goes: the conversation with that address, and what it proves. */
export interface GivenReach {
  conversation: Conversation;
  channel: string;
  address: IdentityRef;
}

/** An email address goes by the email channel, a number by SMS; null when the text is neither. */
export function givenAddress(text: string): { channel: string; address: IdentityRef } | null {
  const email = normaliseEmail(text);
  if (email) return { channel: 'email', address: { kind: 'email', value: email } };
  const phone = normalisePhone(text);
  return phone ? { channel: 'sms', address: { kind: 'phone', value: phone } } : null;
}

/** A thread not closed can take the code (closed ones stay closed). */
const REACHABLE_STATUSES: ConversationStatus[] = ['open', 'pending', 'snoozed', 'resolved'];

/**
 * A `verify` step's `to`: the address the customer just gave. The code goes to
 * the open thread with that address when there is one, else a new resolved
 * conversation of this contact opened to it. Null when the text is no address
 * or the channel cannot start a thread there.
 */
export async function reachGiven(
  tx: StoreTx,
  o: { contact: Contact; text: string; startThread: StartThread | undefined; now: number },
): Promise<GivenReach | null> {
  const given = givenAddress(o.text);
  if (!given || !o.startThread) return null;
  const started = o.startThread(given.channel, { to: given.address });
  if (!started) return null;
  const open = await tx.findConversationByThread(started.touchpoint.channel, started.threadKey, REACHABLE_STATUSES);
  const conversation =
    open ??
    (await tx.createConversation(
      newConversation(o.contact.id, started.touchpoint, started.threadKey, {
        status: 'resolved',
        replyRef: started.replyRef,
      }),
      o.now,
    ));
  return { conversation, channel: given.channel, address: given.address };
}
