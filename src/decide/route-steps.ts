import { Composer, run } from '../composer.ts';
import type { Classifier } from './classify.ts';
import { consentStep } from './consent.ts';
import { current, type RouteContext, type RouteStep, tap } from './context.ts';
import { agentOwnsGuard, autoReplyGuard, loopGuard, optOutGuard, recordAutoReplies } from './guards.ts';

/**
 * What runs, in which order, before a reply to an inbound message is written:
 * the one place that answers that question. Each step goes on with `next()` or
 * ends the automatic part of the decision (the bot stays quiet); the settle
 * phase runs after the decision whether or not it ended early.
 *
 * The parts come from the folders that own them (flows from
 * src/flow-language/, policies from src/policies/, people from src/agent/),
 * each by name, so the order is declared here and nowhere else.
 */

export interface FlowSteps {
  /** Sets the contact's language from a clear message. */
  language: RouteStep;
  /** A customer's message ends the follow-ups that wait with `cancelOnReply`. */
  replyCancels: RouteStep;
  /** While a person owns the conversation: the answer to a flow's open question goes to the flow or the agent. */
  ownedAnswer: RouteStep;
  /** Delivers an answer to the flow waiting for it, or starts the flow the message triggers. */
  run: RouteStep;
}

export interface PolicySteps {
  /** A message from one of the staff acknowledges their pages; the bot never answers staff. */
  staff: RouteStep;
  /** Urgent words, very negative sentiment, VIP after hours: priority up, on-call paged. */
  urgency: RouteStep;
  /** A public message that should not be answered in public moves to a private conversation. */
  handoff: RouteStep;
  /** Crisis mode: the holding statement once per conversation, then nothing automated. */
  crisis: RouteStep;
  /** After-hours triage: one acknowledgement per closed period, knowledge answers, queued for the opening. */
  afterHours: RouteStep;
  /** After the decision: a flow's `private` step moves the conversation. */
  flowMove: RouteStep;
  /** After the decision: SLA clocks started or moved, with the final priority. */
  sla: RouteStep;
  /** After the decision: a complaint on a public touchpoint asks for a spike check. */
  complaintSpike: RouteStep;
  /** After the decision: a handoff to a person asks for assignment and the acknowledgement of receipt (desk.yaml). */
  desk: RouteStep;
}

export interface RouteParts {
  classifier: Classifier;
  flows: FlowSteps;
  /** The business's policies; absent where only the flow engine runs (transcripts, engine tests). */
  policies?: PolicySteps | undefined;
  /** After the decision: a snoozed conversation the customer wrote to is open again. */
  wakeOnCustomer?: RouteStep | undefined;
}

export interface RouteSteps {
  /** The decision: guards, classification, policies, flows. */
  decide(ctx: RouteContext): Promise<void>;
  /** Bookkeeping after the decision, whether or not it ended early. */
  settle(ctx: RouteContext): Promise<void>;
}

const rank = { low: 0, normal: 1, high: 2, urgent: 3 } as const;

/** Intent, category and priority from the classifier; the priority only rises. */
export function classifyStep(classifier: Classifier): RouteStep {
  return tap((ctx) => {
    const c = classifier.classify(ctx.envelope.text);
    ctx.classification = c;
    if (c.intent) ctx.patch.intent = c.intent;
    if (c.category && !current(ctx).category) ctx.patch.category = c.category;
    if (c.priority && rank[c.priority] > rank[current(ctx).priority]) ctx.patch.priority = c.priority;
  });
}

export function routeSteps(parts: RouteParts): RouteSteps {
  const p = parts.policies;
  const decide = new Composer<RouteContext>()
    // 1. Guards that come before everything: carrier keywords (STOP, START, HELP), staff, urgency
    //    (a page must not wait on a guard that silences the bot), and machines, never answered.
    .use(consentStep)
    .use(...(p ? [p.staff, p.urgency] : []))
    .use(autoReplyGuard)
    // 2. Classify, and the bookkeeping that holds even when the bot then stays quiet.
    .use(classifyStep(parts.classifier), parts.flows.language, parts.flows.replyCancels)
    // 3. Guards that keep the bot quiet: opted out, crisis mode (the holding statement, then no flow),
    //    a person owns the conversation (an answer to a flow's question still reaches the flow or the
    //    agent's thread), a bot loop.
    .use(optOutGuard, ...(p ? [p.crisis] : []), parts.flows.ownedAnswer, agentOwnsGuard, loopGuard())
    // 4. Policies that may take the conversation elsewhere: public-to-private handoff, after hours.
    .use(...(p ? [p.handoff, p.afterHours] : []))
    // 5. Flows.
    .use(parts.flows.run);
  const settle = new Composer<RouteContext>()
    // 6. After the decision: count automatic replies, move to private when a flow asked, SLA clocks,
    //    complaint spikes, the desk's assignment and acknowledgement, snoozes.
    .use(tap(recordAutoReplies))
    .use(...(p ? [p.flowMove, p.sla, p.complaintSpike, p.desk] : []))
    .use(...(parts.wakeOnCustomer ? [parts.wakeOnCustomer] : []));
  const decideAll = decide.middleware();
  const settleAll = settle.middleware();
  return {
    decide: (ctx) => run([decideAll], ctx),
    settle: (ctx) => run([settleAll], ctx),
  };
}
