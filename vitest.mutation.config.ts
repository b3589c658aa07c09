import { defineConfig } from 'vitest/config';

/**
 * The tests StrykerJS runs against each mutant (npm run test:mutation): the
 * in-process unit and component tests of the code under mutation. End-to-end
 * tests that start router child processes are left out (a mutant is active
 * only in the test process), and so are the limiter's tests, which wait on
 * Bottleneck's spacing in real time and would slow every mutant's run.
 */
export default defineConfig({
  test: {
    exclude: ['test/outbox/limiter.test.ts'],
    include: [
      'test/outbox/**/*.test.ts',
      'test/pipeline/**/*.test.ts',
      'test/group-commit.test.ts',
      'test/store/wal-sync.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
