import type { BlobStore } from '../blobs/contract.ts';
import type { BusinessCalendar } from '../calendar/calendar.ts';
import type { RateLimit } from '../channel/contract.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { FlowDef } from '../settings/flow-schema.ts';
import type { SlaSettings, TargetSettings } from '../settings/policy-schema.ts';
import type { Store } from '../store/contract.ts';
import type { TokenCheck } from './auth.ts';

/** What the dashboard reads and acts on. */
export interface DashboardDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  adminToken: string;
  business: { name: string; timezone: string };
  calendar: BusinessCalendar;
  targets: TargetSettings;
  sla: SlaSettings;
  /** The labels that count as complaints (trends.yaml `complaints`), for the weekly table. */
  complaints: string[];
  flows: FlowDef[];
  /** The enabled channels, offered as a filter. */
  channels: string[];
  /** Told when a dead letter is queued again, so the outbox sends it now rather than at its next wake-up. */
  onRetried?: () => void;
  /** A channel's sending pace (the outbox limiter's), for how long the replies waiting now take to go out. */
  rateOf?: (channel: string) => RateLimit;
  /** What a QA review scores (reviews.yaml `qa.rubric`); absent: the SOP's default rubric. */
  qaRubric?: readonly string[];
  /** Who may sign in with which token; default: the admin token only. */
  checkToken?: TokenCheck;
  /** Kept attachment bytes, shown on transcripts. */
  blobs?: Pick<BlobStore, 'get'>;
}
