import { describe, expect, it } from 'vitest';
import type { DecisionContext } from '../../src/decide/context.ts';
import { newDecision } from '../../src/decide/write-decision.ts';
import { deliverAnswer, resumeRun } from '../../src/flow-language/flow-resume.ts';
import { activate, commit, startFlow } from '../../src/flow-language/flow-runner.ts';
import { readEngineState, runTimerKey } from '../../src/flow-language/flow-state.ts';
import type { Contact, Conversation } from '../../src/model/types.ts';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { templatesFile } from '../../src/settings/schema.ts';
import type { Settings } from '../../src/settings/types.ts';
import { newConversation } from '../support/records.ts';
import { testSettings } from '../support/settings.ts';

const templates = templatesFile.parse({ templates: { q: 'Question?', a: 'A', b: 'B', loop: 'again' } }).templates;
const flows = [
  flowFile.parse({
    id: 'asker',
    trigger: { keywords: ['ask'] },
    steps: [{ ask: { template: 'q', var: 'n', expect: 'number', timeout: '1h' } }, { say: 'a' }],
  }),
  flowFile.parse({ id: 'waiter', trigger: { events: ['x'] }, steps: [{ wait: '1d' }, { say: 'b' }] }),
  flowFile.parse({
    id: 'looper',
    trigger: { keywords: ['loop'] },
    steps: [{ id: 'top', say: 'loop' }, { goto: 'top' }],
  }),
  flowFile.parse({ id: 'chain', trigger: { keywords: ['chain'] }, steps: [{ say: 'a' }] }),
  flowFile.parse({ id: 'after-chain', trigger: { after: ['chain'] }, steps: [{ say: 'b' }] }),
];
const settings = testSettings({ templates, flows });
const contact: Contact = {
  id: 'k',
  name: 'Ada',
  vip: false,
  language: null,
  timezone: null,
  optOuts: [],
  attributes: {},
  createdAt: 0,
};
const conversation: Conversation = { ...newConversation('k', 'webchat', 't'), id: 'c1', createdAt: 0, updatedAt: 0 };
const NOW = Date.UTC(2026, 2, 3, 10);

/** A decision on the conversation as the previous decision left it. */
function next(prev: DecisionContext | null, s: Settings = settings, now = NOW): DecisionContext {
  const conv = prev ? { ...prev.conversation, ...prev.patch } : conversation;
  return newDecision(s, now, conv as Conversation, contact);
}
const flow = (id: string) => settings.flows.find((f) => f.id === id) ?? flows[0]!;

describe('the flow interpreter', () => {
  it('parks an ask with its timeout timer, takes the answer, and cancels the timer', () => {
    const a = next(null);
    const act = activate(a);
    startFlow(act, flow('asker'));
    commit(act);
    expect(a.replies.map((r) => r.text)).toEqual(['Question?']);
    const run = readEngineState(a.patch.flowState ?? null).runs[0]!;
    expect(a.timers).toEqual([
      {
        kind: 'flow.resume',
        key: runTimerKey('c1', run.id),
        dueAt: NOW + 3_600_000,
        payload: { run: run.id, token: run.token },
      },
    ]);

    const b = next(a);
    const actB = activate(b);
    expect(deliverAnswer(actB, actB.state.runs[0]!, '42', () => false)).toBe('consumed');
    commit(actB);
    expect(b.replies.map((r) => r.text)).toEqual(['A']);
    expect(b.cancelTimers).toEqual([runTimerKey('c1', run.id)]);
    expect(readEngineState(b.patch.flowState ?? null)).toMatchObject({
      runs: [],
      history: [{ flow: 'asker', outcome: 'done' }],
    });
  });

  it('lets another flow take over when the answer is not valid and the message starts that flow', () => {
    const a = next(null);
    const act = activate(a);
    startFlow(act, flow('asker'));
    commit(act);
    const b = next(a);
    const actB = activate(b);
    expect(deliverAnswer(actB, actB.state.runs[0]!, 'can I talk to a person', () => true)).toBe('interrupted');
    commit(actB);
    expect(readEngineState(b.patch.flowState ?? null).history).toMatchObject([{ flow: 'asker', outcome: 'cancelled' }]);
  });

  it('times out an unanswered question and goes on without an answer', () => {
    const a = next(null);
    const act = activate(a);
    startFlow(act, flow('asker'));
    commit(act);
    const b = next(a, settings, NOW + 3_600_000);
    const actB = activate(b);
    resumeRun(actB, actB.state.runs[0]!);
    commit(actB);
    expect(b.replies.map((r) => r.text)).toEqual(['A']);
  });

  it('stops a flow that loops without waiting', () => {
    const a = next(null);
    const act = activate(a);
    startFlow(act, flow('looper'));
    commit(act);
    expect(a.replies.length).toBeGreaterThan(10);
    expect(a.replies.length).toBeLessThan(500);
    expect(readEngineState(a.patch.flowState ?? null).history).toMatchObject([{ flow: 'looper', outcome: 'error' }]);
  });

  it('starts the flows waiting for another to end', () => {
    const a = next(null);
    const act = activate(a);
    startFlow(act, flow('chain'));
    commit(act);
    expect(a.replies.map((r) => r.text)).toEqual(['A', 'B']);
  });

  it('keeps at most five runs, ending the oldest', () => {
    const a = next(null);
    const act = activate(a);
    for (let i = 0; i < 7; i++) startFlow(act, flow('waiter'), {}, { replace: false });
    commit(act);
    const state = readEngineState(a.patch.flowState ?? null);
    expect(state.runs).toHaveLength(5);
    expect(state.history.map((h) => h.outcome)).toEqual(['cancelled', 'cancelled']);
    expect(a.timers).toHaveLength(5);
  });

  it('ends a parked run whose flow was edited so its step no longer exists', () => {
    const a = next(null);
    const act = activate(a);
    startFlow(act, flow('waiter'));
    commit(act);
    const edited = testSettings({
      templates,
      flows: [flowFile.parse({ id: 'waiter', trigger: { events: ['x'] }, steps: [{ say: 'b' }] })],
    });
    const b = next(a, edited, NOW + 86_400_000);
    const actB = activate(b);
    resumeRun(actB, actB.state.runs[0]!);
    commit(actB);
    expect(b.replies).toEqual([]);
    expect(readEngineState(b.patch.flowState ?? null).history.at(-1)).toMatchObject({
      flow: 'waiter',
      outcome: 'error',
    });
  });

  it('keeps keys of the flow state it does not own', () => {
    const a = newDecision(
      settings,
      NOW,
      { ...conversation, flowState: { handoff: { team: 'x' }, autoReplies: [1], runs: 'garbage' } },
      contact,
    );
    const act = activate(a);
    startFlow(act, flow('chain'));
    commit(act);
    expect(a.patch.flowState).toMatchObject({ handoff: { team: 'x' }, autoReplies: [1], runs: [] });
  });
});
