import { type Actor, actorOf } from '../access/audit.ts';
import type { Clock } from '../clock.ts';
import { TouchpointError } from '../errors.ts';
import { renderTemplate } from '../outbound/templates.ts';
import type { DeskCrisis } from '../people/desk-events.ts';
import type { Settings } from '../settings/types.ts';
import type { Store } from '../store/contract.ts';
import { switchCrisis } from './crisis-switch.ts';

/** How much of a statement the desk shows in a picker (Slack cuts an option's text at 75). */
const PREVIEW = 70;

/**
 * Crisis mode from the agent desk: the same switch as the CLI and the admin
 * API (crisis-switch.ts), in one transaction with its audit entry, for admins
 * only. The role is the core's to judge, from the agent's account: a desk
 * that maps a Slack user to an agent cannot make them an admin. Statements to
 * choose from are the templates whose id starts with crisis.yaml's `holding`
 * (`crisis_holding`, `crisis_holding_outage` …), the configured one first.
 */
export function createDeskCrisis(o: {
  store: Store;
  clock: Clock;
  /** The config in force: crisis.yaml, the templates, the business's language. */
  settings: () => Pick<Settings, 'policies' | 'templates' | 'business'>;
  /** A switch committed: the timer that pages and posts the banner is due now. */
  onSwitched?: () => void;
}): DeskCrisis {
  function statements(): Array<{ id: string; text: string }> {
    const { policies, templates, business } = o.settings();
    const crisis = policies.crisis;
    const language = business.language;
    const ids = Object.keys(templates).filter((id) => id.startsWith(crisis.holding));
    ids.sort((a, b) => (a === crisis.holding ? -1 : b === crisis.holding ? 1 : a.localeCompare(b)));
    return ids.map((id) => {
      const text = renderTemplate(templates, id, { channel: 'slack', language, vars: {} }).text;
      return { id, text: text.length <= PREVIEW ? text : `${text.slice(0, PREVIEW - 1)}…` };
    });
  }

  const why = (actor: Actor): string | null =>
    actor.role === 'admin'
      ? null
      : `only admins can switch crisis mode, and ${actor.name} is an agent: ask an admin (touchpoint agents)`;

  return {
    async refusal(agent) {
      return o.store.transaction(async (tx) => why(await actorOf(tx, agent, 'slack')));
    },
    async state() {
      const crisis = await o.store.activeCrisis();
      return {
        on: crisis !== null,
        since: crisis?.startedAt ?? null,
        by: crisis?.startedBy ?? null,
        reason: crisis?.reason ?? '',
        statement: crisis?.statement ?? null,
      };
    },
    statements,
    async switch(input) {
      if (input.on && input.statement !== undefined && !statements().some((s) => s.id === input.statement))
        throw new TouchpointError('invalid_request', `"${input.statement}" is not one of the holding statements`);
      const state = await o.store.transaction(async (tx) => {
        const actor = await actorOf(tx, input.agent, 'slack');
        const refused = why(actor);
        if (refused) throw new TouchpointError('forbidden', refused);
        const reason = input.reason ?? '';
        return switchCrisis(
          tx,
          { on: input.on, actor, reason, ...(input.statement ? { statement: input.statement } : {}) },
          o.clock.now(),
        );
      });
      if (state.changed) o.onSwitched?.();
      return { on: state.on, changed: state.changed };
    },
  };
}
