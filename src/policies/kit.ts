import type { BusinessCalendar } from '../calendar/calendar.ts';
import type { ChannelDirectory } from '../channel/directory.ts';
import type { Clock } from '../clock.ts';
import type { RouteContext } from '../decide/context.ts';
import { knowledgeOf } from '../knowledge/of-settings.ts';
import type { KnowledgeSearch } from '../knowledge/search.ts';
import type { Logger } from '../log.ts';
import type { Contact } from '../model/types.ts';
import type { Outbound } from '../outbound/outbound.ts';
import { createPersonalDataDetector, type PersonalDataDetector } from '../outbound/personal-data.ts';
import { fill, renderTemplate } from '../outbound/templates.ts';
import { createRoster, type Roster } from '../people/roster.ts';
import type { PolicySettings } from '../settings/policy-schema.ts';
import type { Settings } from '../settings/types.ts';
import { createTextMatcher, type TextMatcher } from '../text/text-match.ts';
import { createWordListSentiment, type SentimentAnalyzer } from './sentiment.ts';

/** What the policies are built from: the settings, the calendar and the loaded channels. */
export interface PolicyDeps {
  settings: Settings;
  policies: PolicySettings;
  calendar: BusinessCalendar;
  directory: ChannelDirectory;
  /** The outbound chain the policies' own messages pass (moves, invites, pages). */
  outbound: Outbound;
  clock: Clock;
  log: Logger;
  /** Whether a flow answers this message at any hour (src/flow-language gives it): then no after-hours reply. */
  flowAnswers?: (ctx: RouteContext) => boolean;
  /** Replaces the word-list sentiment of triage.yaml (a library, a remote model). */
  sentiment?: SentimentAnalyzer;
  /** Tells the agent desk a conversation changed outside a decision (an agent's de-escalation), after commit. */
  onDeskChange?: (conversationId: string) => void;
}

export type Vars = Record<string, string | number | null | undefined>;

/** The policies' settings compiled once: matchers, the roster, the guard. */
export interface PolicyKit extends PolicyDeps {
  roster: Roster;
  sentiment: SentimentAnalyzer;
  detector: PersonalDataDetector;
  urgency: TextMatcher | null;
  asksForPersonalData: TextMatcher;
  /** knowledge.yaml's answers and the Markdown articles, indexed for search. */
  knowledge: KnowledgeSearch;
  /**
   * A template for a channel and language, with the business's name among the
   * variables. `fallback` is used when templates.yaml has no such template
   * (messages to staff); without one a missing template is an error.
   */
  render(id: string, to: { channel: string; language?: string | null }, vars: Vars, fallback?: string): string;
  /** Fills `{variable|fallback}` placeholders of text from config (knowledge answers), the business's name among them. */
  fill(text: string, vars: Vars): string;
}

export function createPolicyKit(deps: PolicyDeps): PolicyKit {
  const p = deps.policies;
  const detector = createPersonalDataDetector(p.handoff.guard);
  const business = deps.settings.business.name;
  return {
    ...deps,
    roster: createRoster(p.oncall, deps.settings.business.timezone),
    sentiment: deps.sentiment ?? createWordListSentiment(p.triage.sentiment),
    detector,
    urgency: p.triage.urgency ? createTextMatcher(p.triage.urgency) : null,
    asksForPersonalData: createTextMatcher(p.handoff.asksForPersonalData),
    knowledge: knowledgeOf(p),
    render(id, to, vars, fallback) {
      const all = { business, ...vars };
      if (fallback !== undefined && deps.settings.templates[id] === undefined) return fill(fallback, all);
      return renderTemplate(deps.settings.templates, id, {
        channel: to.channel,
        language: to.language ?? null,
        vars: all,
      }).text;
    },
    fill: (text, vars) => fill(text, { business, ...vars }),
  };
}

/** The oncall.yaml person id of a contact who is one of the staff, else null. */
export function staffIdOf(contact: Contact): string | null {
  const id = contact.attributes.staff;
  return typeof id === 'string' ? id : null;
}
