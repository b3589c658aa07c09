import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Message } from '../model/types.ts';
import type { Store } from '../store/contract.ts';
import { systemNote } from '../store/notes.ts';
import type { Translator } from './translate.ts';

export interface InboundTranslationDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** The translation in force (a reload may turn it on or off); null when off. */
  current: () => { translator: Translator; businessLanguage: string } | null;
  /** A note was written: the desk thread shows it. */
  onNote: (conversationId: string) => void;
}

/**
 * The reverse direction, after commit: a customer's message in a language
 * other than the business's gets an internal note with its translation, so
 * the desk thread reads it in the business's language. The original stays
 * the message; a failed translation is logged and leaves the thread as it was.
 */
export function createInboundTranslation(d: InboundTranslationDeps) {
  async function one(conversationId: string, message: Message): Promise<void> {
    const t = d.current();
    if (!t || message.direction !== 'inbound' || message.text.trim() === '') return;
    const conversation = await d.store.getConversation(conversationId);
    const contact = conversation ? await d.store.getContact(conversation.contactId) : null;
    const from = contact?.language;
    if (!from || from === t.businessLanguage) return;
    const text = await t.translator.translate(message.text, from, t.businessLanguage);
    await d.store.transaction((tx) =>
      systemNote(tx, conversationId, `Translated from ${from}: ${text}`, d.clock.now(), 'translation'),
    );
    d.onNote(conversationId);
  }

  return (conversationId: string, messages: Message[]): Promise<void> =>
    Promise.all(
      messages.map((m) =>
        one(conversationId, m).catch((err: unknown) => {
          d.log.warn({ err, conversationId, messageId: m.id }, 'translating a customer message for the desk failed');
        }),
      ),
    ).then(() => {});
}
