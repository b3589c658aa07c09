import type { Contact, Conversation, Identity } from '../model/types.ts';
import type { ContactChange, MergeRecord, MergeSuggestion } from '../store/contact-records.ts';
import type { StoreTx } from '../store/contract.ts';

/** Everything known about one person, for the API and the CLI. */
export interface ContactView {
  contact: Contact;
  identities: Identity[];
  tags: string[];
  /** Every conversation on every channel, most recently updated first. */
  conversations: Conversation[];
  merges: MergeRecord[];
  suggestions: MergeSuggestion[];
  /** Consent given or withdrawn, opt-outs set or lifted, VIP on or off: oldest first, with who or what. */
  history: ContactChange[];
}

const CONVERSATIONS = 1000;

export async function contactView(tx: StoreTx, contact: Contact): Promise<ContactView> {
  const [identities, tags, conversations, merges, suggestions, history] = await Promise.all([
    tx.listIdentities(contact.id),
    tx.tagsOf(contact.id),
    tx.findConversationsOfContact(contact.id, { limit: CONVERSATIONS }),
    tx.listMerges(contact.id),
    tx.listSuggestions({ status: 'pending', contactId: contact.id }),
    tx.contactHistory(contact.id),
  ]);
  return { contact, identities, tags, conversations, merges, suggestions, history };
}
