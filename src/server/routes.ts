import { registerAccessApi } from '../access/access-api.ts';
import type { BlobStore } from '../blobs/contract.ts';
import { type Clock, VirtualClock } from '../clock.ts';
import { registerContactsApi } from '../contacts/contacts-api.ts';
import { type DashboardDeps, registerDashboard } from '../dashboard/routes.ts';
import { type EventsApiDeps, registerEventsApi } from '../flow-language/events-api.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import { registerTrendsApi } from '../metrics/trends-api.ts';
import type { AgentActions } from '../people/actions.ts';
import { registerConversationsApi } from '../people/conversations-api.ts';
import { type OutreachDeps, registerOutreachApi } from '../people/outreach.ts';
import { registerPolicyRoutes } from '../policies/admin-routes.ts';
import type { PolicyActions } from '../policies/agent.ts';
import { registerCrisisRoutes } from '../policies/crisis-routes.ts';
import { registerQaRoutes } from '../policies/qa-routes.ts';
import { registerPrivacyApi } from '../privacy/privacy-api.ts';
import type { ReviewSettings } from '../settings/operations-schema.ts';
import type { TrendSettings } from '../settings/policy-schema.ts';
import type { Store } from '../store/contract.ts';
import { registerTestClockApi } from './test-clock-api.ts';

/**
 * Every endpoint of the core, registered in one place; each handler lives
 * next to what it serves. Channel adapters add their own webhook routes when
 * they start (src/channel/contract.ts).
 *
 * - /api/conversations…        conversations and agent actions (src/people/conversations-api.ts)
 * - /api/contacts…             contacts, identities, merges, suggested matches (src/contacts/contacts-api.ts)
 * - /api/contacts/:id/conversations  an agent writes first (src/people/outreach.ts)
 * - /api/oncall/ack, …/private  on-call pages and moves to private (src/policies/admin-routes.ts)
 * - /api/crisis                 the crisis switch (src/policies/crisis-routes.ts)
 * - /api/qa/…                   QA reviews: samples, scores, per agent (src/policies/qa-routes.ts)
 * - /api/agents…, /api/audit, /api/me  agent accounts and the audit log (src/access/access-api.ts)
 * - /api/contacts/:id/export, …/erase  a person's data, for admins (src/privacy/privacy-api.ts)
 * - /api/events                 business events that start flows (src/flow-language/events-api.ts)
 * - /admin…                    the owner's dashboard, signed in with a session cookie (src/dashboard/)
 * - /api/feedback, /api/complaints  product feedback (JSON or CSV), complaints per week (src/metrics/trends-api.ts)
 * - /api/test/clock             the virtual clock, in test mode only (test-clock-api.ts)
 * - /healthz, /readyz           liveness and readiness (http-server.ts)
 */
export interface CoreRoutes {
  store: Store;
  clock: Clock;
  actions: AgentActions;
  policyActions: PolicyActions;
  events: EventsApiDeps;
  dashboard: DashboardDeps;
  outreach: OutreachDeps;
  trends: TrendSettings;
  /** A crisis was switched on or off: timers it paused may fire now. */
  onCrisisSwitched: () => void;
  /** reviews.yaml in force (the QA rubric). */
  reviews: () => ReviewSettings;
  /** Where attachment files live: an erasure deletes the person's, an export includes them. */
  blobs?: BlobStore;
  /** A contact was erased through the API (the desk clears their threads). */
  onErased?: (contactId: string) => void;
}

export function registerCoreRoutes(routes: RouteRegistry, parts: CoreRoutes): void {
  registerConversationsApi(routes, { store: parts.store, actions: parts.actions });
  registerContactsApi(routes, { store: parts.store, clock: parts.clock, vip: parts.events.settings.contacts.vip });
  registerPolicyRoutes(routes, parts.policyActions);
  registerCrisisRoutes(routes, { store: parts.store, clock: parts.clock, onSwitched: parts.onCrisisSwitched });
  registerQaRoutes(routes, { store: parts.store, clock: parts.clock, reviews: parts.reviews });
  registerAccessApi(routes, { store: parts.store, clock: parts.clock });
  registerPrivacyApi(routes, {
    store: parts.store,
    clock: parts.clock,
    ...(parts.blobs ? { blobs: parts.blobs } : {}),
    ...(parts.onErased ? { onErased: parts.onErased } : {}),
  });
  registerEventsApi(routes, parts.events);
  registerDashboard(routes, parts.dashboard);
  registerOutreachApi(routes, parts.outreach);
  registerTrendsApi(routes, { store: parts.store, clock: parts.clock, trends: parts.trends });
  if (parts.clock instanceof VirtualClock) registerTestClockApi(routes, parts.clock);
}
