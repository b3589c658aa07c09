/**
 * What `npm run test:mutation` mutates, in groups small enough to finish in
 * their time budget at concurrency 1. Each group keeps its own incremental
 * file and report, so running one group never discards another's results;
 * the scores are summed per folder over the latest report of every group.
 * `tests` are the fastest honest set: the in-process tests that exercise the
 * group's files (coverage per test then runs only those that reach a mutant).
 */
export interface MutationGroup {
  name: string;
  /** The folder (or promise) its files are scored under. */
  folder: string;
  mutate: string[];
  tests: string[];
  /** Wall-clock budget on a busy two-core machine; past it the run is stopped and says so. */
  minutes: number;
}

const outboxTests = ['test/outbox/**/*.test.ts'];

export const groups: MutationGroup[] = [
  {
    name: 'outbox-core',
    folder: 'src/outbox',
    mutate: [
      'src/outbox/outcomes.ts',
      'src/outbox/outbound-message.ts',
      'src/outbox/unconfirmed.ts',
      'src/outbox/rate-limit.ts',
      'src/outbox/concurrency-gate.ts',
    ],
    tests: outboxTests,
    minutes: 25,
  },
  { name: 'outbox-limiter', folder: 'src/outbox', mutate: ['src/outbox/limiter.ts'], tests: outboxTests, minutes: 25 },
  { name: 'outbox-worker', folder: 'src/outbox', mutate: ['src/outbox/worker.ts'], tests: outboxTests, minutes: 40 },
  {
    name: 'decide',
    folder: 'src/decide',
    mutate: ['src/decide/**/*.ts'],
    tests: [
      'test/decide/**/*.test.ts',
      'test/contacts/identify-merge.test.ts',
      'test/pipeline/pipeline.test.ts',
      'test/pipeline/route-event.test.ts',
      'test/pipeline/handoff.test.ts',
    ],
    minutes: 40,
  },
  {
    name: 'outbound',
    folder: 'src/outbound (chain and public-send guard)',
    mutate: ['src/outbound/outbound.ts', 'src/outbound/public-guard.ts'],
    tests: ['test/outbound/**/*.test.ts', 'test/decide/**/*.test.ts', 'test/pipeline/handoff.test.ts'],
    minutes: 20,
  },
  {
    name: 'pipeline',
    folder: 'src/pipeline',
    mutate: ['src/pipeline/**/*.ts'],
    tests: ['test/pipeline/**/*.test.ts', 'test/group-commit.test.ts'],
    minutes: 40,
  },
  {
    name: 'store',
    folder: 'src/store',
    mutate: ['src/store/**/*.ts'],
    tests: [
      'test/store/sqlite.test.ts',
      'test/store/sqlite-dialect.test.ts',
      'test/store/prepared.test.ts',
      'test/store/wal-sync.test.ts',
    ],
    minutes: 120,
  },
];
