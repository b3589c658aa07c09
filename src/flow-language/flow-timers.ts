import type { Clock } from '../clock.ts';
import type { DecisionContext } from '../decide/context.ts';
import {
  loadForDecision,
  newDecision,
  reachableConversations,
  type WriteDeps,
  type Written,
  writeDecision,
} from '../decide/write-decision.ts';
import type { Logger } from '../log.ts';
import { fill } from '../outbound/templates.ts';
import type { Settings } from '../settings/types.ts';
import type { Store, StoreTx, Timer } from '../store/contract.ts';
import type { TimerHandler } from '../timers/handlers.ts';
import { parkedStep, resumeRun, resumeVerify } from './flow-resume.ts';
import { activate, commit } from './flow-runner.ts';
import type { FlowRun } from './flow-state.ts';
import { templateVars } from './flow-vars.ts';
import { createLookupRunner, type LookupFetch, type LookupOutcome, type LookupTask } from './lookup-runner.ts';
import type { Activation } from './run-control.ts';
import { recordOutcome, startAttempt } from './step-lookup.ts';
import { VERIFY_CODE_TIMER } from './step-verify.ts';
import { reachForVerify, reachGiven, type StartThread } from './verify-reach.ts';

/**
 * The timers flows set, and what firing each does, inside the timer's
 * transaction: `flow.resume` (a wait ended, an answer timed out),
 * `flow.lookup` (start or retry a lookup), `flow.verify` (choose where a
 * verify step's code goes), `flow.verify-code` (deliver that one-time code on
 * another conversation of the contact).
 */

export interface FlowEngineDeps extends WriteDeps {
  store: Store;
  settings: Settings;
  clock: Clock;
  log: Logger;
  /** What a flow wrote outside the inbound path: publish to live clients, wake the outbox. */
  onWritten?: (written: Written) => void;
  /** The HTTP client of lookups (default: the global fetch). */
  fetch?: LookupFetch;
  /** Opens a thread to an address on file, for a verification code where the contact never wrote (verify-reach.ts). */
  startThread?: StartThread;
}

export interface FlowTimerHandlers {
  handlers: Record<string, TimerHandler>;
  /** Waits until every lookup answer received so far is recorded (tests, transcripts); returns how many it waited for. */
  idle(): Promise<number>;
  /** Abandons lookups in flight; their guard timers retry them after a restart. */
  stop(): Promise<void>;
}

type Step = (act: Activation, run: FlowRun) => void | Promise<void>;

export function createFlowTimerHandlers(deps: FlowEngineDeps): FlowTimerHandlers {
  const notify = (w: Written | null) => {
    if (w && (w.messages.length > 0 || w.events.length > 0)) deps.onWritten?.(w);
  };

  /** Runs `step` on the run the timer belongs to, when the timer is still the run's current one. */
  async function withRun(tx: StoreTx, timer: Timer, step: Step): Promise<Written | null> {
    if (!timer.conversationId) return null;
    const loaded = await loadForDecision(tx, timer.conversationId);
    if (!loaded || loaded.conversation.status === 'closed') return null;
    const ctx = newDecision(deps.settings, deps.clock.now(), loaded.conversation, loaded.contact);
    const act = activate(ctx);
    const run = act.state.runs.find((r) => r.id === timer.payload.run);
    if (!run || run.token !== timer.payload.token) return null;
    await step(act, run);
    commit(act);
    return writeDecision(tx, ctx, deps);
  }

  async function onOutcome(task: LookupTask, outcome: LookupOutcome): Promise<void> {
    const written = await deps.store.transaction(async (tx) => {
      const loaded = await loadForDecision(tx, task.conversationId);
      if (!loaded) return null;
      const ctx: DecisionContext = newDecision(deps.settings, deps.clock.now(), loaded.conversation, loaded.contact);
      const act = activate(ctx);
      if (!recordOutcome(act, task, outcome)) return null;
      commit(act);
      return writeDecision(tx, ctx, deps);
    });
    notify(written);
  }

  const lookups = createLookupRunner({
    clock: deps.clock,
    log: deps.log.child({ part: 'lookups' }),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    onOutcome,
  });

  const handlers: Record<string, TimerHandler> = {
    'flow.resume': async (timer, tx) => {
      notify(await withRun(tx, timer, resumeRun));
    },
    'flow.lookup': async (timer, tx) => {
      const started: { task: LookupTask | null } = { task: null };
      const written = await withRun(tx, timer, (act, run) => {
        started.task = startAttempt(act, run);
      });
      notify(written);
      // the request runs outside this transaction; its answer is written in one of its own
      if (started.task) lookups.begin(started.task);
    },
    'flow.verify': async (timer, tx) => {
      notify(
        await withRun(tx, timer, async (act, run) => {
          const step = parkedStep(act, run);
          const verify = step && 'verify' in step ? step.verify : null;
          const { contact, now } = act.ctx;
          if (verify?.to) {
            const text = fill(verify.to, templateVars(act.ctx, run.vars));
            const given = await reachGiven(tx, { contact, text, startThread: deps.startThread, now });
            resumeVerify(act, run, [], given);
            return;
          }
          const theirs = await reachableConversations(tx, contact.id);
          const reach = { contact, current: act.ctx.conversation.id, via: verify?.via ?? [], theirs };
          resumeVerify(act, run, await reachForVerify(tx, { ...reach, startThread: deps.startThread, now }));
        }),
      );
    },
    [VERIFY_CODE_TIMER]: async (timer, tx) => {
      const text = timer.payload.text;
      if (!timer.conversationId || typeof text !== 'string') return;
      const loaded = await loadForDecision(tx, timer.conversationId);
      if (!loaded) return;
      const subject = typeof timer.payload.subject === 'string' ? { subject: timer.payload.subject } : {};
      const author = { kind: 'bot' as const, name: deps.settings.business.name };
      // the customer asked for the code: sending it to their number on file is not writing first
      const input = { ...loaded, text, author, requested: true, ...subject };
      const message = await deps.outbound.send(tx, input, deps.clock.now());
      notify({ conversation: loaded.conversation, messages: [message], events: [] });
    },
  };

  return { handlers, idle: () => lookups.idle(), stop: () => lookups.stop() };
}
