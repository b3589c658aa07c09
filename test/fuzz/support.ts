import fc from 'fast-check';

/** One seed for the whole fuzz set: a failure prints its counterexample, shrunk, and reproduces. */
export const FUZZ = { seed: 0x17_2026, numRuns: 60 } as const;

/** JSON values of every shape, strings included that look like ids, numbers, URLs and nothing at all. */
export const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string(),
    fc.constantFrom('', ' ', 'x:y', '12345', '-1', '1e999', 'https://example.com/', '\u0000', '🎂'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** An object like `base` with some fields replaced by arbitrary values or removed. */
export function mutated(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(base);
  return fc
    .record({
      replace: fc.dictionary(fc.constantFrom(...keys), jsonValue, { maxKeys: 3 }),
      drop: fc.subarray(keys, { maxLength: 2 }),
      extra: fc.dictionary(fc.string({ maxLength: 6 }), jsonValue, { maxKeys: 2 }),
    })
    .map(({ replace, drop, extra }) => {
      const out: Record<string, unknown> = { ...base, ...extra, ...replace };
      for (const k of drop) delete out[k];
      return out;
    });
}

/** Bodies that are not JSON, or JSON of the wrong kind. */
export const oddBody = fc.oneof(
  fc.string(),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')),
  jsonValue.map((v) => JSON.stringify(v) ?? 'null'),
);
