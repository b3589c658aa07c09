import type { BusinessCalendar } from '../calendar/calendar.ts';
import { loadCalendar } from '../calendar/load.ts';
import type { FlowDef } from '../settings/flow-schema.ts';
import type { Settings } from '../settings/types.ts';

/** What the engine derives once from loaded settings: the calendar, flows by id, and the languages templates speak. */
export interface EngineSettings {
  calendar: BusinessCalendar;
  flows: Map<string, FlowDef>;
  /** Languages some template has a variant for, plus the business default. */
  languages: string[];
}

const cache = new WeakMap<Settings, EngineSettings>();

export function engineOf(settings: Settings): EngineSettings {
  let e = cache.get(settings);
  if (!e) {
    const languages = new Set([settings.business.language]);
    for (const def of Object.values(settings.templates)) {
      if (typeof def !== 'string') for (const lang of Object.keys(def.languages ?? {})) languages.add(lang);
    }
    e = {
      calendar: loadCalendar(settings.business, settings.configDir),
      flows: new Map(settings.flows.map((f) => [f.id, f])),
      languages: [...languages],
    };
    cache.set(settings, e);
  }
  return e;
}
