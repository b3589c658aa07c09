import type { Contact, Conversation } from '../model/types.ts';
import type { StaffMember } from '../people/roster.ts';
import type { StoreTx } from '../store/contract.ts';
import { systemNote } from '../store/notes.ts';
import { type PolicyKit, staffIdOf } from './kit.ts';

/**
 * Messages to staff (pages, SLA warnings and escalations) go through the same
 * durable outbox and limiter as replies to customers: each person has one
 * staff conversation on their configured channel, tagged `staff` and kept
 * resolved so it stays out of the agents' queue. Their replies arrive on it
 * and acknowledge their pages (see staffHook).
 */

export const STAFF_TAG = 'staff';

export interface StaffState {
  staff: string;
  /** Conversations this person was paged for and has not acknowledged yet. */
  pages: string[];
}

export function staffStateOf(conversation: Conversation): StaffState | null {
  const s = conversation.flowState;
  if (!s || typeof s.staff !== 'string') return null;
  const pages = Array.isArray(s.pages) ? s.pages.filter((p): p is string => typeof p === 'string') : [];
  return { staff: s.staff, pages };
}

async function staffContact(tx: StoreTx, person: StaffMember, now: number): Promise<Contact> {
  const found = await tx.findContactByIdentity(person.identity);
  if (!found) return tx.createContact({ name: person.name, attributes: { staff: person.id } }, person.identity, now);
  if (staffIdOf(found) === person.id) return found;
  const attributes = { ...found.attributes, staff: person.id };
  await tx.updateContact(found.id, { attributes });
  return { ...found, attributes };
}

/** The person's staff conversation, opened on first use; null when their channel cannot reach them. */
export async function staffThread(
  tx: StoreTx,
  kit: PolicyKit,
  person: StaffMember,
  now: number,
): Promise<{ conversation: Conversation; contact: Contact } | null> {
  const started = kit.directory.startThread(person.channel, { to: person.identity });
  if (!started) return null;
  const contact = await staffContact(tx, person, now);
  const existing = await tx.findConversationByThread(person.channel, started.threadKey, [
    'open',
    'pending',
    'snoozed',
    'resolved',
  ]);
  if (existing) return { conversation: existing, contact };
  const conversation = await tx.createConversation(
    {
      contactId: contact.id,
      touchpoint: started.touchpoint,
      threadKey: started.threadKey,
      status: 'resolved',
      category: STAFF_TAG,
      intent: null,
      priority: 'normal',
      assignee: null,
      tags: [STAFF_TAG],
      links: [],
      sla: {},
      flowState: { staff: person.id, pages: [] } satisfies StaffState,
      replyRef: started.replyRef,
      lastInboundAt: null,
    },
    now,
  );
  return { conversation, contact };
}

/**
 * Queues `text` to a person. With `pageFor`, the customer conversation is
 * recorded as paged to them, so their reply acknowledges it. False when the
 * person cannot be reached (their channel is not loaded, or cannot start a thread).
 */
export async function messageStaff(
  tx: StoreTx,
  kit: PolicyKit,
  person: StaffMember,
  text: string,
  now: number,
  pageFor?: string,
  parts?: unknown[],
): Promise<boolean> {
  const thread = await staffThread(tx, kit, person, now);
  if (!thread) {
    kit.log.warn({ person: person.id, channel: person.channel }, 'cannot reach this person on their channel');
    return false;
  }
  const { conversation, contact } = thread;
  const author = { kind: 'system' as const, name: kit.settings.business.name };
  // Staff are paged on the number they gave the business: no customer consent applies.
  await kit.outbound.send(
    tx,
    { conversation, contact, text, author, requested: true, ...(parts ? { parts } : {}) },
    now,
  );
  if (pageFor) {
    const state = staffStateOf(conversation) ?? { staff: person.id, pages: [] };
    const pages = state.pages.includes(pageFor) ? state.pages : [...state.pages, pageFor];
    await tx.updateConversation(conversation.id, { flowState: { ...conversation.flowState, ...state, pages } }, now);
  }
  return true;
}

/** An internal note on a conversation: what a policy did, for the agents. */
export const note = (tx: StoreTx, conversationId: string, text: string, now: number): Promise<void> =>
  systemNote(tx, conversationId, text, now, 'policy');
