import { describe, expect, it } from 'vitest';
import { createConcurrencyGate } from '../../src/outbox/concurrency-gate.ts';

const turn = () => new Promise<void>((r) => setImmediate(r));

/** A job that records its start and finishes when told to. */
function jobs() {
  const started: string[] = [];
  const finish = new Map<string, (fail?: Error) => void>();
  const job = (label: string) => () => {
    started.push(label);
    return new Promise<string>((resolve, reject) =>
      finish.set(label, (fail) => (fail ? reject(fail) : resolve(label))),
    );
  };
  return { started, finish, job };
}

describe('concurrency gate', () => {
  it('refuses a cap that is not a whole number of 1 or more', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => createConcurrencyGate(bad)).toThrow(/concurrency cap must be 1 or more/);
    }
    expect(() => createConcurrencyGate(1)).not.toThrow();
  });

  it('runs at most the cap per key at once, the rest in call order as slots free, other keys apart', async () => {
    const gate = createConcurrencyGate(2);
    const { started, finish, job } = jobs();
    const runs = ['a1', 'a2', 'a3', 'a4'].map((l) => gate.run('a', job(l)));
    const b = gate.run('b', job('b1'));
    await turn();
    expect(started).toEqual(['a1', 'a2', 'b1']);
    finish.get('a2')?.();
    await turn();
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3']);
    finish.get('a3')?.();
    await turn();
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3', 'a4']);
    for (const l of ['a1', 'a4', 'b1']) finish.get(l)?.();
    expect(await Promise.all([...runs, b])).toEqual(['a1', 'a2', 'a3', 'a4', 'b1']);
  });

  it('frees the slot of a failed job, and a key used again after going idle starts with a full cap', async () => {
    const gate = createConcurrencyGate(1);
    const { started, finish, job } = jobs();
    const first = gate.run('a', job('a1'));
    const second = gate.run('a', job('a2'));
    await turn();
    finish.get('a1')?.(new Error('provider down'));
    await expect(first).rejects.toThrow('provider down');
    await turn();
    expect(started).toEqual(['a1', 'a2']);
    finish.get('a2')?.();
    expect(await second).toBe('a2');
    // Idle now: the next job starts at once, and the cap still holds behind it.
    const third = gate.run('a', job('a3'));
    const fourth = gate.run('a', job('a4'));
    await turn();
    expect(started).toEqual(['a1', 'a2', 'a3']);
    finish.get('a3')?.();
    await turn();
    finish.get('a4')?.();
    expect(await Promise.all([third, fourth])).toEqual(['a3', 'a4']);
  });

  it('turns away only the waiting jobs of the keys selected, with their reason, and leaves running ones be', async () => {
    const gate = createConcurrencyGate(1);
    const { started, finish, job } = jobs();
    const a1 = gate.run('a', job('a1'));
    const a2 = gate.run('a', job('a2'));
    const a3 = gate.run('a', job('a3'));
    const b1 = gate.run('b', job('b1'));
    const b2 = gate.run('b', job('b2'));
    await turn();
    gate.turnAway(
      (key) => key === 'a',
      (key) => new Error(`held: ${key}`),
    );
    await expect(a2).rejects.toThrow('held: a');
    await expect(a3).rejects.toThrow('held: a');
    finish.get('a1')?.();
    expect(await a1).toBe('a1');
    finish.get('b1')?.();
    await turn();
    expect(started).toEqual(['a1', 'b1', 'b2']);
    finish.get('b2')?.();
    expect(await Promise.all([b1, b2])).toEqual(['b1', 'b2']);
    // The turned-away jobs never ran, and key a takes new work at once.
    const a4 = gate.run('a', job('a4'));
    await turn();
    expect(started).toEqual(['a1', 'b1', 'b2', 'a4']);
    finish.get('a4')?.();
    expect(await a4).toBe('a4');
  });

  it('a freed slot is counted at once: with one of two running, one more starts and the next waits', async () => {
    const gate = createConcurrencyGate(2);
    const { started, finish, job } = jobs();
    const a1 = gate.run('a', job('a1'));
    const a2 = gate.run('a', job('a2'));
    await turn();
    finish.get('a1')?.();
    expect(await a1).toBe('a1');
    const a3 = gate.run('a', job('a3'));
    const a4 = gate.run('a', job('a4'));
    await turn();
    expect(started).toEqual(['a1', 'a2', 'a3']);
    finish.get('a2')?.();
    await turn();
    expect(started).toEqual(['a1', 'a2', 'a3', 'a4']);
    for (const l of ['a3', 'a4']) finish.get(l)?.();
    expect(await Promise.all([a2, a3, a4])).toEqual(['a2', 'a3', 'a4']);
  });
});
