import type { Bus } from './bus.ts';
import type { BusinessCalendar } from './calendar/calendar.ts';
import { loadCalendar } from './calendar/load.ts';
import type { ChannelDirectory } from './channel/directory.ts';
import { fileRefusal } from './channel/file-limits.ts';
import type { Clock } from './clock.ts';
import { createRuleClassifier } from './decide/classify.ts';
import type { RouteDeps } from './decide/route-event.ts';
import { routeSteps } from './decide/route-steps.ts';
import type { Written } from './decide/write-decision.ts';
import { ConfigError, type ConfigProblem, formatProblem } from './errors.ts';
import { flowAnswersAtAnyHour, flowSteps } from './flow-language/inbound-steps.ts';
import type { Logger } from './log.ts';
import type { Conversation, Message } from './model/types.ts';
import type { FirstContactDeps } from './outbound/first-contact.ts';
import { createOutbound, type Outbound } from './outbound/outbound.ts';
import { createPublicSendGuard } from './outbound/public-guard.ts';
import type { AgentActions } from './people/actions.ts';
import { createAgentActions } from './people/agent-actions.ts';
import { agentDisplayName } from './people/agent-name.ts';
import type { DeskNotice } from './people/desk-events.ts';
import { withDeskNotices } from './people/desk-host.ts';
import { wakeOnCustomerStep } from './people/snooze.ts';
import { createTranslator, type Translator } from './people/translate.ts';
import { createPolicies, type Policies } from './policies/policies.ts';
import { hotPart, reloadDiff } from './settings/reload-diff.ts';
import type { Settings } from './settings/types.ts';
import type { Store } from './store/contract.ts';
import type { TimerHandler } from './timers/handlers.ts';
import { marketingTemplates } from './unsubscribe/marketing.ts';

/**
 * Everything built from the reloadable config (flows, templates, intents,
 * the calendar, the policies), as one generation. A reload builds a whole new
 * generation and swaps it in with one assignment; the long-lived parts (the
 * router, the timers, the HTTP routes, the channels) reach it through
 * `follow`, so each decision reads one generation from start to end.
 */
export interface ConfigParts {
  settings: Settings;
  calendar: BusinessCalendar;
  outbound: Outbound;
  /** How a conversation with someone who never wrote on a channel is started (contacts.yaml). */
  firstContact: FirstContactDeps;
  policies: Policies;
  route: RouteDeps;
  /** Agent actions, with the SLA clocks and desk notices of this generation's policies. */
  actions: AgentActions;
  /** The translation endpoint (business.yaml `translation`); null when off. */
  translation: { translator: Translator; businessLanguage: string } | null;
}

/** What does not change on a reload: the store, the clock, the channels, the callbacks. */
export interface SharedParts {
  store: Store;
  clock: Clock;
  log: Logger;
  directory: ChannelDirectory;
  deskBus: Bus<DeskNotice>;
  onWritten: (written: Written) => void;
  onAgentMessages: (conversation: Conversation, messages: Message[]) => void;
  onTimers: () => void;
  /** The config folder, named in a refusal that no file explains. */
  configDir: string;
}

/** Builds one generation; throws ConfigError when the holiday calendar file cannot be read. */
export function buildConfigParts(settings: Settings, shared: SharedParts): ConfigParts {
  const { store, clock, log, directory } = shared;
  const calendar = loadCalendar(settings.business, settings.configDir, log);
  const windowHoursOf = (channel: string) => directory.capabilities(channel)?.replyWindowHours ?? null;
  const outbound = createOutbound({
    destinationOf: directory.destinationOf,
    guard: createPublicSendGuard(settings.policies.handoff),
    windowHoursOf,
    consentRequired: settings.contacts.firstContact.consentRequired,
    carriesFiles: (channel) => directory.capabilities(channel)?.attachments === true,
    isMarketing: marketingTemplates(settings.templates),
    fileRefusal: (channel, file) => fileRefusal(directory.capabilities(channel)?.fileLimits, file),
  });
  const firstContact: FirstContactDeps = {
    settings: settings.contacts.firstContact,
    startThread: directory.startThread,
    windowHoursOf,
  };
  const policies = createPolicies({
    settings,
    policies: settings.policies,
    calendar,
    directory,
    outbound,
    clock,
    log: log.child({ part: 'policies' }),
    store,
    flowAnswers: flowAnswersAtAnyHour,
    onDeskChange: (conversationId) => shared.deskBus.publish({ conversationId, cause: 'agent', events: ['tier'] }),
  });
  const route: RouteDeps = {
    settings,
    steps: routeSteps({
      classifier: createRuleClassifier(settings.intents),
      flows: flowSteps,
      policies: policies.steps,
      wakeOnCustomer: wakeOnCustomerStep,
    }),
    outbound,
  };
  const translator = createTranslator(settings.business.translation);
  const translation = translator ? { translator, businessLanguage: settings.business.language } : null;
  const actions = withDeskNotices(
    policies.wrapAgentActions(
      createAgentActions({
        store,
        clock,
        outbound,
        onMessages: shared.onAgentMessages,
        flows: { settings, onWritten: shared.onWritten },
        onTimers: shared.onTimers,
        agentName: agentDisplayName(settings),
        translation,
        resolution: settings.policies.desk.resolution,
      }),
    ),
    shared.deskBus,
  );
  return { settings, calendar, outbound, firstContact, policies, route, actions, translation };
}

/**
 * An object that always reads through to `current()`: properties, keys and
 * methods (bound to the current object) come from the generation in force
 * at the moment of each call.
 */
export function follow<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get(_, key) {
      const target = current();
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    has: (_, key) => Reflect.has(current(), key),
    ownKeys: () => Reflect.ownKeys(current()),
    getOwnPropertyDescriptor(_, key) {
      const d = Reflect.getOwnPropertyDescriptor(current(), key);
      return d ? { ...d, configurable: true } : undefined;
    },
  });
}

/** The answer of a reload: what changed and was applied, what needs a restart, or why nothing was applied. */
export interface ReloadResult {
  ok: boolean;
  applied: string[];
  needsRestart: string[];
  /** Why the new config was refused (file, line, fix); the running config goes on answering. */
  problems: ConfigProblem[];
  /** Settings that work but lead nowhere, as `touchpoint check` prints them. */
  warnings: ConfigProblem[];
}

export interface LiveConfig {
  /** The generation in force now. */
  current(): ConfigParts;
  /** Loads the config again, checks all of it, and swaps it in only when it has no problem. */
  reload(): ReloadResult;
}

/**
 * The config in force, and its reload. `load` is the one config loader bound
 * to the folders and environment the router started with.
 */
export function createLiveConfig(initial: Settings, shared: SharedParts, load: () => Settings): LiveConfig {
  let parts = buildConfigParts(initial, shared);
  const log = shared.log.child({ part: 'reload' });
  return {
    current: () => parts,
    reload() {
      const refused = (problems: ConfigProblem[]): ReloadResult => {
        log.error(
          { problems: problems.map(formatProblem) },
          `config reload refused, the running config stays in force:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
        );
        return { ok: false, applied: [], needsRestart: [], problems, warnings: [] };
      };
      let next: ConfigParts;
      let diff: ReturnType<typeof reloadDiff>;
      let warnings: ConfigProblem[];
      try {
        const loaded = load();
        diff = reloadDiff(parts.settings, loaded);
        warnings = loaded.warnings ?? [];
        next = buildConfigParts(hotPart(parts.settings, loaded), shared);
      } catch (err) {
        if (err instanceof ConfigError) return refused(err.problems);
        const message = err instanceof Error ? err.message : String(err);
        return refused([{ file: shared.configDir, line: null, message, fix: 'correct the config, then reload again' }]);
      }
      parts = next;
      for (const w of warnings) log.warn(`config warning: ${formatProblem(w)}`);
      if (diff.needsRestart.length > 0) {
        log.warn(
          { needsRestart: diff.needsRestart },
          `changed but not applied until a restart: ${diff.needsRestart.join(', ')}`,
        );
      }
      log.info(
        { applied: diff.applied },
        diff.applied.length > 0 ? `config reloaded: ${diff.applied.join(', ')}` : 'config reloaded: nothing changed',
      );
      return { ok: true, ...diff, problems: [], warnings };
    },
  };
}

/**
 * Timer handlers by kind whose every call goes to the current generation's
 * handler of that kind (the kinds are the code's, the same in every generation).
 */
export function followHandlers(current: () => Record<string, TimerHandler>): Record<string, TimerHandler> {
  return Object.fromEntries(
    Object.keys(current()).map((kind): [string, TimerHandler] => [
      kind,
      (timer, tx) => (current()[kind] as TimerHandler)(timer, tx),
    ]),
  );
}
