import type { StartedThread } from '../channel/contract.ts';
import type { Contact, Conversation, Identity } from '../model/types.ts';
import type { HandoffRule } from '../settings/policy-schema.ts';
import type { StoreTx } from '../store/contract.ts';
import type { PolicyKit } from './kit.ts';

/**
 * The best private route for a public conversation, trying the rule's routes
 * in order: `privateReply` (the platform answers the public post privately),
 * `dm` (a direct message on the same platform), or a channel name (the
 * contact's known address there: email, phone …). Each must give a private thread.
 */
export interface PrivateRoute {
  via: string;
  channel: string;
  thread: StartedThread;
}

export async function selectPrivateRoute(
  tx: StoreTx,
  kit: PolicyKit,
  conversation: Conversation,
  contact: Contact,
  rule: HandoffRule,
): Promise<PrivateRoute | null> {
  const identities = await tx.listIdentities(contact.id);
  const own = conversation.touchpoint.channel;
  for (const via of rule.routes) {
    const channel = via === 'privateReply' || via === 'dm' ? own : via;
    const privateReplyTo =
      via === 'privateReply' ? { threadKey: conversation.threadKey, replyRef: conversation.replyRef } : null;
    if (privateReplyTo && !kit.directory.capabilities(channel)?.privateReply) continue;
    const thread = firstThread(kit, channel, identities, privateReplyTo);
    if (thread) return { via, channel, thread };
  }
  return null;
}

function firstThread(
  kit: PolicyKit,
  channel: string,
  identities: Identity[],
  privateReplyTo: { threadKey: string; replyRef: Record<string, unknown> | null } | null,
): StartedThread | null {
  for (const identity of identities) {
    const to = { kind: identity.kind, value: identity.value, verified: identity.verified === true };
    const thread = kit.directory.startThread(channel, privateReplyTo ? { to, privateReplyTo } : { to });
    if (thread && thread.touchpoint.visibility === 'private') return thread;
  }
  return null;
}
