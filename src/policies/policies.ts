import type { AgentActions } from '../agent/actions.ts';
import type { RouteHook } from '../engine/context.ts';
import type { RouteRegistry } from '../server/http-types.ts';
import type { Store } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import { registerPolicyRoutes } from './admin-routes.ts';
import { afterHoursHook, createAfterHoursTimerHandlers, urgencyHook } from './after-hours.ts';
import { createPolicyActions, type PolicyActions, withSlaClocks } from './agent.ts';
import { createHandoffTimerHandlers, flowMoveHook, handoffHook } from './handoff.ts';
import { createPolicyKit, type PolicyDeps, type PolicyKit } from './kit.ts';
import { createOncallTimerHandlers } from './oncall.ts';
import type { PublicSendGuard } from './public-guard.ts';
import { createSlaTimerHandlers, slaHook } from './sla.ts';
import { staffHook } from './staff-hook.ts';

/**
 * The policies as the router runs them, in three places relative to the engine's hooks:
 * - `first`: before every engine hook (staff replies acknowledge pages; urgency pages on-call even
 *   when a later guard silences the bot);
 * - `beforeFlows`: after the engine's guards and classifier, right before the flow hook (public-to-private
 *   handoff, then after-hours triage; either may silence the flows);
 * - `settle`: after the decision, whether or not it was silenced (a flow's move-to-private, SLA clocks).
 */
export interface PolicyHooks {
  first: RouteHook[];
  beforeFlows: RouteHook[];
  settle: RouteHook[];
}

export function policyHooks(kit: PolicyKit): PolicyHooks {
  return {
    first: [staffHook(kit), urgencyHook(kit)],
    beforeFlows: [handoffHook(kit), afterHoursHook(kit)],
    settle: [flowMoveHook(), slaHook(kit)],
  };
}

/** Timer kinds: oncall.page / .escalate / .ack, sla.warning / .breach / .escalate, handoff.move / .divert, afterhours.wake. */
export function createPolicyTimerHandlers(kit: PolicyKit): Record<string, TimerHandler> {
  return {
    ...createOncallTimerHandlers(kit),
    ...createSlaTimerHandlers(kit),
    ...createHandoffTimerHandlers(kit),
    ...createAfterHoursTimerHandlers(kit),
  };
}

/**
 * The engine's hooks with the policies in their places: `first` ahead of
 * them all, `beforeFlows` just before `flowHook`. Throws when `flowHook` is
 * not in the list, rather than run the policies in the wrong order.
 */
export function composeHooks(engine: RouteHook[], flowHook: RouteHook, hooks: PolicyHooks): RouteHook[] {
  const at = engine.indexOf(flowHook);
  if (at < 0) throw new Error('the flow hook is not among the engine hooks: cannot place the policy hooks');
  return [...hooks.first, ...engine.slice(0, at), ...hooks.beforeFlows, ...engine.slice(at)];
}

export interface Policies {
  kit: PolicyKit;
  hooks: PolicyHooks;
  timerHandlers: Record<string, TimerHandler>;
  guard: PublicSendGuard;
  actions: PolicyActions;
  /** AgentActions that also keep the SLA clocks. */
  wrapAgentActions(actions: AgentActions): AgentActions;
  registerRoutes(routes: RouteRegistry): void;
}

export function createPolicies(deps: PolicyDeps & { store: Store }): Policies {
  const kit = createPolicyKit(deps);
  const actions = createPolicyActions(kit, deps.store);
  for (const [id, person] of Object.entries(deps.policies.oncall.people)) {
    if (!deps.directory.capabilities(person.channel))
      deps.log.warn(
        { person: id, channel: person.channel },
        'pages to this person cannot be sent: their channel is not enabled',
      );
  }
  return {
    kit,
    hooks: policyHooks(kit),
    timerHandlers: createPolicyTimerHandlers(kit),
    guard: kit.guard,
    actions,
    wrapAgentActions: (a) => withSlaClocks(a, kit, deps.store),
    registerRoutes: (routes) => registerPolicyRoutes(routes, actions),
  };
}
