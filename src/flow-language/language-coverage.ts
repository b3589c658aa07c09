import type { Settings } from '../settings/types.ts';
import { walkSteps } from './flow-program.ts';
import { templatesOf } from './step-refs.ts';

/** One flow's templates that a customer writing `language` would get in the business's language instead. */
export interface MissingLanguage {
  flow: string;
  language: string;
  templates: string[];
}

/**
 * Per flow and per language the templates speak (any template's `languages`
 * key, besides the business's own), the templates the flow says that have no
 * variant in it: what `check` reports, so a half-translated flow is seen.
 */
export function missingLanguageVariants(settings: Settings): MissingLanguage[] {
  const languages = new Set<string>();
  for (const def of Object.values(settings.templates))
    if (typeof def !== 'string') for (const lang of Object.keys(def.languages ?? {})) languages.add(lang);
  languages.delete(settings.business.language);
  const out: MissingLanguage[] = [];
  for (const flow of settings.flows) {
    const used = new Set<string>();
    walkSteps(flow.steps, (step) => {
      for (const [, id] of templatesOf(step)) if (id && settings.templates[id] !== undefined) used.add(id);
    });
    for (const language of [...languages].sort()) {
      const templates = [...used].filter((id) => {
        const def = settings.templates[id];
        return typeof def === 'string' || def?.languages?.[language] === undefined;
      });
      if (templates.length > 0) out.push({ flow: flow.id, language, templates: templates.sort() });
    }
  }
  return out;
}

/** One line per flow: `refund: de (refund_filed, refund_reason …), fr (…)`. */
export function describeMissing(missing: MissingLanguage[], shown = 3): string[] {
  const byFlow = new Map<string, MissingLanguage[]>();
  for (const m of missing) byFlow.set(m.flow, [...(byFlow.get(m.flow) ?? []), m]);
  return [...byFlow].map(([flow, list]) => {
    const parts = list.map((m) => {
      const more = m.templates.length > shown ? `, +${m.templates.length - shown} more` : '';
      return `${m.language} (${m.templates.slice(0, shown).join(', ')}${more})`;
    });
    return `  ${flow}: ${parts.join('; ')}`;
  });
}
