import type { KnowledgeEntry } from './search.ts';

/** What a customer reads for one entry: the answer, and where to read the whole article when it is published. */
export function answerText(e: KnowledgeEntry): string {
  return e.url ? `${e.answer} More: ${e.url}` : e.answer;
}
