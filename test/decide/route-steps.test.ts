import { describe, expect, it } from 'vitest';
import type { RouteContext, RouteStep } from '../../src/decide/context.ts';
import { type PolicySteps, routeSteps } from '../../src/decide/route-steps.ts';
import { newDecision } from '../../src/decide/write-decision.ts';
import type { Contact, Envelope, Message } from '../../src/model/types.ts';
import { newConversation } from '../../src/store/new-conversation.ts';
import { testSettings } from '../support/settings.ts';

const T0 = Date.UTC(2026, 0, 5, 10);

function context(envelope: Partial<Envelope> = {}, contact: Partial<Contact> = {}): RouteContext {
  const touchpoint = { channel: 'webchat', kind: 'webchat', visibility: 'private' } as const;
  const conversation = { ...newConversation('c1', touchpoint, 'webchat:v1', {}), id: 'conv-1', createdAt: T0 };
  const c = {
    id: 'c1',
    name: null,
    vip: false,
    language: null,
    timezone: null,
    optOuts: [],
    attributes: {},
    createdAt: T0,
    ...contact,
  } as Contact;
  return {
    ...newDecision(testSettings(), T0, conversation as RouteContext['conversation'], c),
    envelope: {
      channel: 'webchat',
      providerId: 'p1',
      touchpoint,
      threadKey: 'webchat:v1',
      from: { kind: 'webchat', value: 'v1' },
      text: 'hello',
      ...envelope,
    },
    message: {} as Message,
    isNewConversation: true,
    silence: null,
  };
}

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
    afterHours: step('afterHours'),
    flowMove: step('flowMove'),
    sla: step('sla'),
    complaintSpike: step('complaintSpike'),
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
      'ownedAnswer',
      'handoff',
      'afterHours',
      'flows',
      'flowMove',
      'sla',
      'complaintSpike',
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
    expect(seen).toEqual(['staff', 'urgency', 'flowMove', 'sla', 'complaintSpike', 'wakeOnCustomer']);
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
