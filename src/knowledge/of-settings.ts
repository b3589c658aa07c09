import type { PolicySettings } from '../settings/policy-schema.ts';
import { createKnowledgeSearch, type KnowledgeSearch } from './search.ts';

const cache = new WeakMap<Pick<PolicySettings, 'knowledge' | 'articles'>, KnowledgeSearch>();

/** The one index of a loaded config: the policies and the flows' knowledge step search the same one, built once per reload. */
export function knowledgeOf(p: Pick<PolicySettings, 'knowledge' | 'articles'>): KnowledgeSearch {
  let index = cache.get(p);
  if (!index) {
    index = createKnowledgeSearch(p.knowledge, p.articles);
    cache.set(p, index);
  }
  return index;
}
