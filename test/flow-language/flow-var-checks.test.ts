// biome-ignore-all lint/suspicious/noThenProperty: flow steps have a `then` key
import { describe, expect, it } from 'vitest';
import { checkFlowVars } from '../../src/flow-language/flow-var-checks.ts';
import { flowFile } from '../../src/settings/flow-schema.ts';

const flow = (id: string, trigger: object, steps: object[]) => flowFile.parse({ id, trigger, steps });
const messages = (flows: ReturnType<typeof flow>[]) =>
  checkFlowVars(flows, {}).map((p) => `${p.flow}:${p.path.join('.')}: ${p.message}`);

describe('check knows the variables, path by path', () => {
  it('accepts a variable every path sets, and built-ins, contact fields and event data', () => {
    const f = flow('a', { events: ['order.shipped'] }, [
      {
        if: { vars: { 'event.order': { exists: true } } },
        then: [{ set: { vars: { x: 'one' } } }],
        else: [{ set: { vars: { x: 'two' } } }],
      },
      { set: { vars: { note: '{x} {firstName} {contact.tier} {event.order.number} {today}' } } },
    ]);
    expect(messages([f])).toEqual([]);
  });

  it('refuses a variable only one branch sets, unless it has a default', () => {
    const f = flow('a', { intents: ['x'] }, [
      { if: { intent: 'x' }, then: [{ set: { vars: { x: 'one' } } }] },
      { set: { vars: { note: '{x}', safe: '{x|none}', optional: '[[{x}]]' } } },
    ]);
    expect(messages([f])).toEqual([
      '0:steps.1.set.vars.note: this text uses `x`, which is not set on every path to this step',
    ]);
  });

  it('follows goto and end: a step after `end` on one branch only sees the other', () => {
    const f = flow('a', { intents: ['x'] }, [
      { if: { intent: 'x' }, then: [{ end: true }], else: [{ set: { vars: { x: 'one' } } }] },
      { set: { vars: { note: '{x}' } } },
    ]);
    expect(messages([f])).toEqual([]);
  });

  it('gives a started flow what the flow starting it sets, and an answer its date facts', () => {
    const first = flow('first', { intents: ['x'] }, [
      { ask: { template: 'q', var: 'day', expect: 'date' } },
      { start: 'second' },
    ]);
    const second = flow('second', {}, [
      { if: { vars: { 'day.businessDaysAway': { below: 3 } } }, then: [{ say: 'q' }] },
    ]);
    expect(messages([first, second])).toEqual([]);
  });

  it('refuses numbers compared with dates and dates with numbers', () => {
    const f = flow('a', { intents: ['x'] }, [
      { ask: { template: 'q', var: 'guests', expect: 'number' } },
      { ask: { template: 'q', var: 'day', expect: 'date' } },
      { if: { any: [{ vars: { day: 3 } }, { vars: { guests: { within: '3d' } } }] }, then: [{ say: 'q' }] },
    ]);
    expect(messages([f])).toEqual([
      '0:steps.2.if.any.0.vars.day: `day` is a date, compared here with a number: this is never true',
      '0:steps.2.if.any.1.vars.guests: `guests` is a number, not a date: `within`, `before` and `after` are never true for it',
    ]);
  });
});
