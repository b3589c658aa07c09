import { defineConfig } from 'vitest/config';

/**
 * The tests StrykerJS runs against each mutant (npm run test:mutation): the
 * in-process unit and component tests of the code under mutation, chosen per
 * group by test/mutation/run.ts through TOUCHPOINT_MUTATION_TESTS (a comma
 * list of globs). End-to-end tests that start router child processes are
 * left out: a mutant is active only in the test process.
 */
const chosen = process.env.TOUCHPOINT_MUTATION_TESTS?.split(',').filter(Boolean);

export default defineConfig({
  test: {
    include: chosen ?? ['test/outbox/**/*.test.ts', 'test/pipeline/**/*.test.ts', 'test/decide/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
