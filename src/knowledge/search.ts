import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';
import { eng } from 'stopword';
import type { KnowledgeArticle, KnowledgeSettings } from '../settings/policy-schema.ts';
import { createTextMatcher, type TextMatcher } from '../text/text-match.ts';

/**
 * The knowledge base as one full-text index (MiniSearch): the answers of
 * knowledge.yaml and the Markdown articles, searched with typo tolerance,
 * prefixes and English stems ("delivering" finds "delivery"). A configured
 * keyword or pattern that matches adds a fixed bonus and always qualifies, so
 * an owner can pin the question they know to the answer they wrote.
 */

export interface KnowledgeEntry {
  id: string;
  title: string;
  /** What a customer is sent ({business} and {name|…} still to fill in). */
  answer: string;
  url: string | null;
  /** `answer` from knowledge.yaml, `article` from the folder. */
  kind: 'answer' | 'article';
}

export interface KnowledgeHit extends KnowledgeEntry {
  score: number;
}

export interface KnowledgeSearch {
  readonly size: number;
  /**
   * Entries relevant enough to offer a customer, best first: a configured
   * keyword or pattern matched, or the search score reaches `minScore`.
   */
  answer(question: string, limit: number): KnowledgeHit[];
  /** Everything that matches, best first: for agents, who judge for themselves. */
  search(query: string, limit: number): KnowledgeHit[];
  get(id: string): KnowledgeEntry | null;
}

/** Per matched keyword or pattern: above what search alone gives a loosely matching entry. */
const KEYWORD_BONUS = 10;
const STOP = new Set(eng);
/**
 * Only the start of a message is searched: fuzzy matching costs per word and
 * keywords per entry, and a long email must not stall the router (the
 * question comes first, or in the subject line).
 */
export const MAX_QUERY_CHARS = 300;
export const MAX_KEYWORD_CHARS = 2_000;

/** Lower case, no stop words, English stems: the same for what is indexed and what is asked. */
export function processTerm(term: string): string | null {
  const t = term.toLowerCase();
  if (t.length < 2 || STOP.has(t)) return null;
  return stemmer(t);
}

interface Doc extends KnowledgeEntry {
  keywords: string;
  text: string;
  matcher: TextMatcher;
}

export function createKnowledgeSearch(settings: KnowledgeSettings, articles: KnowledgeArticle[]): KnowledgeSearch {
  const docs: Doc[] = [
    ...Object.entries(settings.answers).map(([id, a]) => ({
      id,
      title: a.title ?? id.replaceAll(/[-_]/g, ' '),
      answer: a.answer,
      url: null,
      kind: 'answer' as const,
      keywords: a.keywords.join(' '),
      text: a.answer,
      matcher: createTextMatcher(a),
    })),
    ...articles
      .filter((a) => !(a.id in settings.answers))
      .map((a) => ({
        id: a.id,
        title: a.title,
        answer: a.answer,
        url: a.url,
        kind: 'article' as const,
        keywords: a.keywords.join(' '),
        text: a.text,
        matcher: createTextMatcher({ keywords: a.keywords, patterns: [] }),
      })),
  ];
  const byId = new Map(docs.map((d) => [d.id, d]));
  const { fuzzy, prefix, minScore } = settings.search;
  const index = new MiniSearch<Doc>({
    fields: ['title', 'keywords', 'text'],
    processTerm,
    searchOptions: {
      boost: { title: 2, keywords: 2, text: 1 },
      // only words of 4+ letters tolerate typos or act as prefixes: short ones would match too much
      fuzzy: (term) => (term.length >= 4 ? fuzzy : 0),
      prefix: (term) => prefix && term.length >= 4,
      combineWith: 'OR',
    },
  });
  index.addAll(docs);

  const ranked = (message: string): Array<{ doc: Doc; score: number; pinned: boolean }> => {
    const scores = new Map<string, number>();
    for (const r of index.search(message.slice(0, MAX_QUERY_CHARS))) scores.set(String(r.id), r.score);
    const text = message.slice(0, MAX_KEYWORD_CHARS);
    const out: Array<{ doc: Doc; score: number; pinned: boolean }> = [];
    for (const doc of docs) {
      const matched = doc.matcher.score(text);
      const score = (scores.get(doc.id) ?? 0) + matched * KEYWORD_BONUS;
      if (score > 0) out.push({ doc, score, pinned: matched > 0 });
    }
    return out.sort((a, b) => b.score - a.score);
  };
  const hit = ({ doc, score }: { doc: Doc; score: number }): KnowledgeHit => ({
    id: doc.id,
    title: doc.title,
    answer: doc.answer,
    url: doc.url,
    kind: doc.kind,
    score: Math.round(score * 100) / 100,
  });

  return {
    size: docs.length,
    answer: (question, limit) =>
      ranked(question)
        .filter((r) => r.pinned || r.score >= minScore)
        .slice(0, limit)
        .map(hit),
    search: (query, limit) => ranked(query).slice(0, limit).map(hit),
    get(id) {
      const d = byId.get(id);
      return d ? { id: d.id, title: d.title, answer: d.answer, url: d.url, kind: d.kind } : null;
    },
  };
}
