import { describe, expect, it } from 'vitest';
import { fill } from '../../src/outbound/templates.ts';

describe('whole-phrase alternatives in templates', () => {
  it('leaves a [[ ]] phrase out whole when a variable in it has no value', () => {
    const text = "I'm really sorry to hear that[[, {name}]]. Could you tell us more?";
    expect(fill(text, { name: 'Ada' })).toBe("I'm really sorry to hear that, Ada. Could you tell us more?");
    expect(fill(text, { name: null })).toBe("I'm really sorry to hear that. Could you tell us more?");
    expect(fill(text, {})).toBe("I'm really sorry to hear that. Could you tell us more?");
  });

  it('keeps a phrase whose variables all have values or defaults, and leaves plain brackets alone', () => {
    expect(fill('Hi[[ {name}]], from {business}[[ ({city|London})]].', { name: 'Sam', business: 'HSB' })).toBe(
      'Hi Sam, from HSB (London).',
    );
    expect(fill('a [b] c', {})).toBe('a [b] c');
  });

  it('reads long unmatched brackets in linear time', () => {
    const text = `${'[['.repeat(20_000)}{name}`;
    expect(fill(text, { name: 'x' })).toBe(`${'[['.repeat(20_000)}x`);
  });
});
