import type { PolicySteps } from '../decide/route-steps.ts';
import type { AgentActions } from '../people/actions.ts';
import type { Store } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import { afterHoursStep, createAfterHoursTimerHandlers, urgencyStep } from './after-hours.ts';
import { createPolicyActions, type PolicyActions, withSlaClocks } from './agent.ts';
import { complaintSpikeStep, createSpikeTimerHandlers } from './complaint-spike.ts';
import { createCrisisTimerHandlers, crisisStep } from './crisis.ts';
import { createDeskTimerHandlers, deskStep } from './desk-assign.ts';
import { createTierTimerHandlers } from './desk-tiers.ts';
import { createHandoffTimerHandlers, flowMoveStep, handoffStep } from './handoff.ts';
import { createPolicyKit, type PolicyDeps, type PolicyKit } from './kit.ts';
import { createOncallTimerHandlers } from './oncall.ts';
import { createQaTimerHandlers } from './qa-reviews.ts';
import { createSlaTimerHandlers, slaStep } from './sla.ts';
import { staffStep } from './staff-step.ts';
import { createWeeklyReportHandlers } from './weekly-report.ts';

/** The policies' routing steps, by name: src/decide/route-steps.ts puts them in order. */
export function policySteps(kit: PolicyKit): PolicySteps {
  return {
    staff: staffStep(kit),
    urgency: urgencyStep(kit),
    handoff: handoffStep(kit),
    crisis: crisisStep(kit),
    afterHours: afterHoursStep(kit),
    flowMove: flowMoveStep(),
    sla: slaStep(kit),
    complaintSpike: complaintSpikeStep(kit),
    desk: deskStep(kit),
  };
}

/** Timer kinds: oncall.page / .escalate / .ack, sla.warning / .breach / .escalate, handoff.move / .divert, afterhours.wake, trends.spike-check / .spike-quiet, desk.assign / .shift-end / .tier, crisis.switched, qa.sample, reports.weekly. */
export function createPolicyTimerHandlers(kit: PolicyKit): Record<string, TimerHandler> {
  return {
    ...createOncallTimerHandlers(kit),
    ...createSlaTimerHandlers(kit),
    ...createHandoffTimerHandlers(kit),
    ...createAfterHoursTimerHandlers(kit),
    ...createSpikeTimerHandlers(kit),
    ...createDeskTimerHandlers(kit),
    ...createTierTimerHandlers(kit),
    ...createCrisisTimerHandlers(kit),
    ...createQaTimerHandlers(kit),
    ...createWeeklyReportHandlers(kit),
  };
}

export interface Policies {
  kit: PolicyKit;
  steps: PolicySteps;
  timerHandlers: Record<string, TimerHandler>;
  actions: PolicyActions;
  /** AgentActions that also keep the SLA clocks. */
  wrapAgentActions(actions: AgentActions): AgentActions;
}

export function createPolicies(deps: PolicyDeps & { store: Store }): Policies {
  const kit = createPolicyKit(deps);
  const actions = createPolicyActions(kit, deps.store);
  const unreachable = Object.entries(deps.policies.oncall.people).filter(
    ([, p]) => !deps.directory.capabilities(p.channel),
  );
  if (unreachable.length > 0) {
    const who = unreachable.map(([id, p]) => `${id} (${p.channel})`).join(', ');
    deps.log.warn(
      { people: unreachable.map(([id]) => id) },
      `on-call pages to ${who} cannot be sent: enable those channels or change config/oncall.yaml`,
    );
  }
  return {
    kit,
    steps: policySteps(kit),
    timerHandlers: createPolicyTimerHandlers(kit),
    actions,
    wrapAgentActions: (a) => withSlaClocks(a, kit, deps.store),
  };
}
