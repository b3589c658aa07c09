import { describe, expect, it } from 'vitest';
import type { Classification, Classifier } from '../../src/decide/classify.ts';
import type { RouteStep } from '../../src/decide/context.ts';
import { classifyStep, type PolicySteps, routeSteps } from '../../src/decide/route-steps.ts';
import { context } from './context.ts';

/** Routing steps that record their names and go on. */
function recorder(seen: string[]) {
  const step =
    (name: string): RouteStep =>
    (_ctx, next) => {
      seen.push(name);
      return next();
    };
  const policies: PolicySteps = {
    staff: step('staff'),
    urgency: step('urgency'),
    handoff: step('handoff'),
    crisis: step('crisis'),
    afterHours: step('afterHours'),
    flowMove: step('flowMove'),
    sla: step('sla'),
    complaintSpike: step('complaintSpike'),
    desk: step('desk'),
  };
  return {
    step,
    parts: {
      classifier: {
        classify: () => {
          seen.push('classify');
          return { intent: null, category: null, priority: null, matches: [] };
        },
      },
      flows: {
        language: step('language'),
        replyCancels: step('replyCancels'),
        ownedAnswer: step('ownedAnswer'),
        run: step('flows'),
      },
      policies,
      wakeOnCustomer: step('wakeOnCustomer'),
    },
  };
}

describe('the routing steps', () => {
  it('run in the declared phases: guards, classify, quiet guards, policies, flows; then settle', async () => {
    const seen: string[] = [];
    const steps = routeSteps(recorder(seen).parts);
    const ctx = context();
    await steps.decide(ctx);
    await steps.settle(ctx);
    expect(seen).toEqual([
      'staff',
      'urgency',
      'classify',
      'language',
      'replyCancels',
      'crisis',
      'ownedAnswer',
      'handoff',
      'afterHours',
      'flows',
      'flowMove',
      'sla',
      'complaintSpike',
      'desk',
      'wakeOnCustomer',
    ]);
    expect(ctx.silence).toBeNull();
  });

  it('ends the decision at a guard that stops it, with the reason, and still settles', async () => {
    const seen: string[] = [];
    const steps = routeSteps(recorder(seen).parts);
    const ctx = context({ flags: { autoReply: true } });
    await steps.decide(ctx);
    await steps.settle(ctx);
    expect(seen).toEqual(['staff', 'urgency', 'flowMove', 'sla', 'complaintSpike', 'desk', 'wakeOnCustomer']);
    expect(ctx.silence).toBe('auto-reply');
  });

  it('keeps the bookkeeping of classification when an opted-out contact keeps the bot quiet', async () => {
    const seen: string[] = [];
    const steps = routeSteps(recorder(seen).parts);
    const ctx = context({}, { optOuts: ['webchat'] });
    await steps.decide(ctx);
    expect(seen).toEqual(['staff', 'urgency', 'classify', 'language', 'replyCancels']);
    expect(ctx.silence).toBe('opted out');
  });

  it('runs carrier keywords first: STOP records the opt-out and nothing else decides', async () => {
    const seen: string[] = [];
    const steps = routeSteps(recorder(seen).parts);
    const ctx = context({ text: 'STOP', flags: { optOut: 'stop' } });
    await steps.decide(ctx);
    expect(seen).toEqual([]);
    expect(ctx.contactPatch.optOuts).toEqual(['webchat']);
  });

  it('runs without policies where only the flow engine routes', async () => {
    const seen: string[] = [];
    const { parts } = recorder(seen);
    const steps = routeSteps({ classifier: parts.classifier, flows: parts.flows });
    const ctx = context();
    await steps.decide(ctx);
    await steps.settle(ctx);
    expect(seen).toEqual(['classify', 'language', 'replyCancels', 'ownedAnswer', 'flows']);
  });
});

describe('the classify step', () => {
  const fixed = (c: Partial<Classification>): Classifier => ({
    classify: () => ({ intent: null, category: null, priority: null, matches: [], ...c }),
  });

  it('records the intent and the category, and raises the priority', async () => {
    const ctx = context();
    await classifyStep(fixed({ intent: 'pricing', category: 'sales', priority: 'high' }))(ctx, async () => {});
    expect(ctx.patch).toMatchObject({ intent: 'pricing', category: 'sales', priority: 'high' });
    expect(ctx.classification?.intent).toBe('pricing');
  });

  it('never lowers the priority nor replaces a category the conversation has', async () => {
    const ctx = context({}, {}, { conversation: { priority: 'high', category: 'billing' } });
    await classifyStep(fixed({ intent: 'hello', category: 'sales', priority: 'normal' }))(ctx, async () => {});
    expect(ctx.patch).toEqual({ intent: 'hello' });
    const same = context({}, {}, { conversation: { priority: 'high' } });
    await classifyStep(fixed({ priority: 'high' }))(same, async () => {});
    expect(same.patch).toEqual({});
  });

  it('goes on to the next step', async () => {
    let went = false;
    await classifyStep(fixed({}))(context(), async () => {
      went = true;
    });
    expect(went).toBe(true);
  });
});
