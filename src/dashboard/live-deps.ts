import type { Authenticate } from '../access/principal.ts';
import type { BusinessCalendar } from '../calendar/calendar.ts';
import type { RateLimit } from '../channel/contract.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { rubricOf } from '../policies/qa-scores.ts';
import type { Settings } from '../settings/types.ts';
import type { Store } from '../store/contract.ts';
import type { DashboardDeps } from './deps.ts';

/** The dashboard's dependencies, reading the config in force at each page: a reload shows in the next one. */
export function liveDashboardDeps(o: {
  store: Store;
  clock: Clock;
  log: Logger;
  adminToken: string;
  calendar: BusinessCalendar;
  settings: () => Settings;
  channels: string[];
  onRetried: () => void;
  rateOf: (channel: string) => RateLimit;
  authenticate: Authenticate;
  blobs?: DashboardDeps['blobs'];
}): DashboardDeps {
  return {
    store: o.store,
    clock: o.clock,
    log: o.log,
    adminToken: o.adminToken,
    calendar: o.calendar,
    get business() {
      const { name, timezone } = o.settings().business;
      return { name, timezone };
    },
    get targets() {
      return o.settings().policies.targets;
    },
    get sla() {
      return o.settings().policies.sla;
    },
    get complaints() {
      return o.settings().policies.trends.complaints;
    },
    get qaRubric() {
      return rubricOf(o.settings().policies.reviews);
    },
    get flows() {
      return o.settings().flows;
    },
    channels: o.channels,
    onRetried: o.onRetried,
    rateOf: o.rateOf,
    ...(o.blobs ? { blobs: o.blobs } : {}),
    // Agents sign in with their own tokens too (src/access): the one authentication of the API.
    checkToken: async (token: string) => {
      const who = await o.authenticate({ headers: { authorization: `Bearer ${token}` } });
      return who ? { agentId: who.agentId, name: who.name, role: who.role } : null;
    },
  };
}
