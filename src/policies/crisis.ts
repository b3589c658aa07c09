import { current, currentContact, type RouteStep, stop } from '../decide/context.ts';
import type { StaffMember } from '../people/roster.ts';
import type { CrisisSettings } from '../settings/operations-schema.ts';
import type { Store, StoreTx } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import { postToBoard } from './board.ts';
import type { PolicyKit } from './kit.ts';
import { messageStaff } from './staff.ts';

/**
 * Crisis mode (crisis.yaml), while a crisis is switched on (the switch is in
 * the store: crisis-switch.ts): every customer who writes gets the holding
 * statement once per conversation (the public statement on a public
 * touchpoint) and nothing automated runs after it; the timer kinds of
 * `pause` (flow waits and follow-ups) wait, and fire in order once the crisis
 * ends. Switching on or off pages the crisis chain of command and posts a
 * banner to the desk channel, from a timer (`crisis.switched`), so a switch
 * from the CLI or another instance is carried out by a running router.
 */

export const CRISIS_SWITCHED = 'crisis.switched';

/** The conversation's flow-state key holding the crisis it got the statement for. */
const ANSWERED = 'crisis';

const FALLBACK = {
  holding:
    "Thanks for your message. We're dealing with an urgent situation at {business} and will get back to you as soon as we can.",
  public: "We're aware of the situation and are working on it. We'll post updates here. Thank you for your patience.",
  page: 'CRISIS at {business}: crisis mode was switched {state} by {by}{reason|}. {what}',
  banner: ':rotating_light: Crisis mode is {state} (switched by {by}{reason|}). {what}',
};
const WHAT = {
  on: 'Automated flows and follow-ups are paused; every customer gets the holding statement.',
  off: 'Automated flows and follow-ups resume, in order.',
};

/** During a crisis: the holding (or public) statement once per conversation, then nothing automated. */
export function crisisStep(kit: PolicyKit): RouteStep {
  return (ctx, next) => {
    const crisis = ctx.crisis;
    if (!crisis) return next();
    const settings = kit.policies.crisis;
    const conv = current(ctx);
    if (conv.flowState?.[ANSWERED] !== crisis.id) {
      const holding = crisis.statement ?? settings.holding;
      const template = conv.touchpoint.visibility === 'public' ? settings.public : holding;
      const fallback = template === settings.public ? FALLBACK.public : FALLBACK.holding;
      const to = { channel: conv.touchpoint.channel, language: currentContact(ctx).language };
      const text = kit.render(template, to, { name: ctx.contact.name }, fallback);
      ctx.replies.push({ text, templateId: template, author: 'bot' });
      ctx.patch.flowState = { ...conv.flowState, [ANSWERED]: crisis.id };
    }
    stop(ctx, 'crisis mode');
  };
}

/** The timer kinds a crisis pauses now: crisis.yaml's `pause` while one is on, none otherwise. */
export function pausedKinds(store: Store, settings: () => CrisisSettings): () => Promise<readonly string[]> {
  return async () => ((await store.activeCrisis()) ? settings().pause : []);
}

/** The chain of command at `now`, each person once. */
function chainOf(kit: PolicyKit, now: number): StaffMember[] {
  const people = new Map<string, StaffMember>();
  for (const ref of kit.policies.crisis.chain) {
    const person = kit.roster.resolve(ref, now);
    if (person) people.set(person.id, person);
  }
  return [...people.values()];
}

async function announce(tx: StoreTx, kit: PolicyKit, on: boolean, by: string, reason: string): Promise<void> {
  const now = kit.clock.now();
  const state = on ? 'ON' : 'OFF';
  const vars = { state, by, reason: reason ? `: ${reason}` : '', what: on ? WHAT.on : WHAT.off };
  for (const person of chainOf(kit, now)) {
    const text = kit.render('crisis_page', { channel: person.channel }, { ...vars, name: person.name }, FALLBACK.page);
    if (!(await messageStaff(tx, kit, person, text, now)))
      kit.log.warn({ person: person.id }, 'crisis page cannot reach this person');
  }
  const desk = kit.policies.crisis.desk;
  if (desk && !(await postToBoard(tx, kit, desk, kit.fill(FALLBACK.banner, vars), now)))
    kit.log.warn({ desk }, 'the crisis banner cannot be posted: the desk channel cannot reach that address');
}

export function createCrisisTimerHandlers(kit: PolicyKit): Record<string, TimerHandler> {
  return {
    [CRISIS_SWITCHED]: async (timer, tx) => {
      const p = timer.payload;
      await announce(tx, kit, p.on === true, String(p.by ?? 'someone'), String(p.reason ?? ''));
    },
  };
}
