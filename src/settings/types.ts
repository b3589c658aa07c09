import type { ConfigProblem } from '../errors.ts';
import type { ContactsSettings } from './contacts-schema.ts';
import type { FlowDef } from './flow-schema.ts';
import type { PolicySettings } from './policy-schema.ts';
import type { RetentionSettings } from './retention-schema.ts';
import type { BusinessSettings, IntentDef, RouterSettings, TemplateDef } from './schema.ts';

export interface ChannelSettings {
  enabled: boolean;
  rateLimit?:
    | {
        minTimeMs?: number | undefined;
        maxConcurrent?: number | undefined;
        channelPerSecond?: number | null | undefined;
      }
    | undefined;
  /** The adapter's own settings, already validated by its schema. */
  settings: unknown;
}

/** Everything in `config/` and `flows/`, validated, with `${ENV}` references resolved. */
export interface Settings {
  configDir: string;
  flowsDir: string;
  business: BusinessSettings;
  channels: Record<string, ChannelSettings>;
  templates: Record<string, TemplateDef>;
  intents: Record<string, IntentDef>;
  router: RouterSettings;
  flows: FlowDef[];
  /** contacts.yaml: first contact and VIP criteria. */
  contacts: ContactsSettings;
  /** retention.yaml: how long data is kept, per channel. */
  retention: RetentionSettings;
  /** triage, knowledge, handoff, SLA and on-call (src/policies/ runs them). */
  policies: PolicySettings;
  /** Settings that work but lead nowhere (on-call people on a disabled channel): `check` prints them, start-up sums them up. */
  warnings?: ConfigProblem[];
}
