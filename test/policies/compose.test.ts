import { describe, expect, it } from 'vitest';
import { flowHook } from '../../src/engine/hooks.ts';
import { composeHooks } from '../../src/policies/policies.ts';

describe('composeHooks', () => {
  it('puts the first policies ahead of the engine and the rest right before the flow hook', () => {
    const a = () => {};
    const b = () => {};
    const [p1, p2, p3] = [() => {}, () => {}, () => {}];
    expect(composeHooks([a, b, flowHook], flowHook, { first: [p1], beforeFlows: [p2], settle: [p3] })).toEqual([
      p1,
      a,
      b,
      p2,
      flowHook,
    ]);
    expect(() => composeHooks([a, b], flowHook, { first: [], beforeFlows: [], settle: [] })).toThrow(/flow hook/);
  });
});
