import { TouchpointError } from '../errors.ts';
import type { KnowledgeSearch } from '../knowledge/search.ts';
import type { Logger } from '../log.ts';
import type { DeskDrafts } from '../people/desk-events.ts';
import type { DraftSettings } from '../settings/policy-schema.ts';
import type { Settings } from '../settings/types.ts';
import { createDrafter, type Drafter, type DrafterDeps } from './drafter.ts';

/** Drafts for the desk under the config in force: a reload that changes knowledge.yaml's `drafts` takes effect at the next draft. */
export function createLiveDrafts(o: {
  current: () => { settings: Settings; knowledge: KnowledgeSearch };
  store: DrafterDeps['store'];
  log: Logger;
}): DeskDrafts {
  let cached: { settings: DraftSettings; drafter: Drafter } | null = null;
  const settingsNow = () => o.current().settings.policies.knowledge.drafts;
  const drafter = (): Drafter => {
    const s = settingsNow();
    if (!s?.enabled) throw new TouchpointError('drafts_off', 'AI-drafted replies are off (knowledge.yaml `drafts`).');
    if (cached?.settings !== s) {
      const { settings } = o.current();
      cached = {
        settings: s,
        drafter: createDrafter({
          settings: s,
          business: settings.business.name,
          guard: settings.policies.handoff.guard,
          knowledge: () => o.current().knowledge,
          store: o.store,
          log: o.log,
        }),
      };
    }
    return cached.drafter;
  };
  return {
    enabled: () => settingsNow()?.enabled === true,
    draft: (conversationId) => drafter().draft(conversationId),
  };
}
