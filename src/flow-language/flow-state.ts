import { current, type DecisionContext } from '../decide/context.ts';
import { randomToken } from '../ids.ts';
import type { Conversation } from '../model/types.ts';

/**
 * The durable state of the flows running in one conversation, kept in
 * `conversation.flowState` next to keys other parts own (`handoff`,
 * `autoReplies`), which are always carried over untouched.
 *
 * A conversation may have several runs at once (a 3-day after-sales wait while
 * the customer asks about prices); a run is stored only while it is parked:
 * waiting for an answer, a time, or a lookup.
 */

export type VarValue = string | number | boolean | null;
export type Vars = Record<string, VarValue>;

export type ParkKind = 'ask' | 'wait' | 'lookup' | 'verify' | 'csat' | 'knowledge';

export interface Parked {
  kind: ParkKind;
  /** When the run's timer fires (a wait's end, an ask's timeout), if it has one. */
  until: number | null;
  /** Invalid answers so far (ask, verify, csat). */
  tries?: number;
  cancelOnReply?: boolean;
  cancelOnEvents?: string[];
  /** Lookup: the attempt in flight, counted from 1. */
  attempt?: number;
  /** Verify: hash of the code sent, and where it went. */
  codeHash?: string;
  via?: string;
  /** Verify `to`: the address the customer gave, joined to the contact once the code proves it. */
  address?: { kind: string; value: string };
  /** Knowledge: the entries offered to pick from (ids, in order), or the one given, whose "did this help?" waits. */
  offered?: string[];
  given?: string;
}

export interface FlowRun {
  id: string;
  flow: string;
  /** Path of the step the run is parked at (`2.then.0`). */
  at: string;
  vars: Vars;
  startedAt: number;
  /** Changes every time the run parks: a timer or lookup carrying an older token is stale. */
  token: string;
  parked: Parked;
}

export type Outcome = 'done' | 'cancelled' | 'replaced' | 'handed-off' | 'error';

export interface HistoryEntry {
  flow: string;
  startedAt: number;
  endedAt: number;
  outcome: Outcome;
}

export interface EngineState {
  runs: FlowRun[];
  /** When the customer proved who they are in this conversation, and through which channel. */
  verified: { at: number; via: string } | null;
  /** Ids of business events already handled here (redelivery guard). */
  seenEvents: string[];
  /** The last flows that ended here, newest last. */
  history: HistoryEntry[];
}

export const MAX_RUNS = 5;
const MAX_SEEN_EVENTS = 50;
const MAX_HISTORY = 10;

export const newToken = (): string => randomToken(6);

/** The timer key of a run: one pending timer per run, replaced whenever it parks again. */
export const runTimerKey = (conversationId: string, runId: string): string => `flow:${conversationId}:${runId}`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isRun(v: unknown): v is FlowRun {
  return (
    isObject(v) &&
    typeof v.id === 'string' &&
    typeof v.flow === 'string' &&
    typeof v.at === 'string' &&
    typeof v.token === 'string' &&
    isObject(v.vars) &&
    isObject(v.parked) &&
    typeof v.parked.kind === 'string'
  );
}

/** Reads the engine's part of a flow state; anything malformed reads as empty rather than breaking routing. */
export function readEngineState(flowState: Conversation['flowState']): EngineState {
  const s = flowState ?? {};
  const verified =
    isObject(s.verified) && typeof s.verified.at === 'number' ? (s.verified as EngineState['verified']) : null;
  return {
    runs: Array.isArray(s.runs) ? s.runs.filter(isRun) : [],
    verified,
    seenEvents: Array.isArray(s.seenEvents) ? s.seenEvents.filter((e): e is string => typeof e === 'string') : [],
    history: Array.isArray(s.history) ? (s.history.filter(isObject) as unknown as HistoryEntry[]) : [],
  };
}

export function stateOf(ctx: DecisionContext): EngineState {
  return readEngineState(current(ctx).flowState);
}

/** Writes the engine's part into the patch, keeping every other key of the flow state. */
export function saveState(ctx: DecisionContext, state: EngineState): void {
  ctx.patch.flowState = {
    ...(current(ctx).flowState ?? {}),
    runs: state.runs,
    verified: state.verified,
    seenEvents: state.seenEvents.slice(-MAX_SEEN_EVENTS),
    history: state.history.slice(-MAX_HISTORY),
  };
}

export function recordEnd(
  state: EngineState,
  run: { flow: string; startedAt: number },
  outcome: Outcome,
  now: number,
): void {
  state.history.push({ flow: run.flow, startedAt: run.startedAt, endedAt: now, outcome });
}

/** Verify runs park twice: until the code is sent (no hash yet), then for the customer to type it. */
export const awaitsCode = (parked: Parked): boolean => parked.kind === 'verify' && parked.codeHash === undefined;

/** The run that receives the customer's next message: the latest one waiting for an answer. */
export function askingRun(state: EngineState): FlowRun | null {
  for (let i = state.runs.length - 1; i >= 0; i--) {
    const run = state.runs[i] as FlowRun;
    const { kind } = run.parked;
    if (kind === 'ask' || kind === 'csat' || kind === 'knowledge' || (kind === 'verify' && !awaitsCode(run.parked)))
      return run;
  }
  return null;
}

/** The timer kind a parked run waits on (handlers in flow-timers.ts). */
export function parkTimerKind(parked: Parked): string {
  if (parked.kind === 'lookup') return 'flow.lookup';
  return awaitsCode(parked) ? 'flow.verify' : 'flow.resume';
}
