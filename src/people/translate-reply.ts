import type { Store } from '../store/contract.ts';
import type { Translator } from './translate.ts';

/** Kept with a translated message: what the agent wrote, and the languages. */
export interface TranslationPart {
  type: 'translation';
  original: string;
  from: string;
  to: string;
}

export interface Translated {
  /** What the customer receives. */
  text: string;
  part?: TranslationPart;
  /** Why the reply goes out as written (a note for the agents). */
  problem?: string;
}

/**
 * An agent's reply in the business's language, translated into the contact's
 * when it differs. A failing endpoint never loses the reply: it goes out as
 * written, and the agents are told.
 */
export async function translateReply(
  store: Store,
  translation: { translator: Translator; businessLanguage: string } | null | undefined,
  conversationId: string,
  text: string,
): Promise<Translated | null> {
  if (!translation) return null;
  const conversation = await store.getConversation(conversationId);
  const contact = conversation ? await store.getContact(conversation.contactId) : null;
  const to = contact?.language;
  const from = translation.businessLanguage;
  if (!to || to === from) return null;
  try {
    const out = await translation.translator.translate(text, from, to);
    return { text: out, part: { type: 'translation', original: text, from, to } };
  } catch (err) {
    return { text, problem: `Not translated into ${to} (${(err as Error).message}): the reply went out as written.` };
  }
}
