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

/** The SQLite store's own tests: the contract runs in sqlite.test.ts (PostgreSQL needs DATABASE_URL; left out). */
const storeContractTests = ['test/store/sqlite.test.ts'];

/** The promise-carrying parts of src/store, then the rest. */
const storeParts: Array<Omit<MutationGroup, 'folder'>> = [
  {
    // Leases of outbox rows, timers and webhook deliveries: one owner at a time, due order.
    name: 'store-claims',
    mutate: ['src/store/claim.ts'],
    // The webhook sender's tests hold the claims and put-backs of webhook deliveries.
    tests: [...storeContractTests, 'test/webhooks/webhooks-out.test.ts'],
    minutes: 30,
  },
  {
    // Inbound events stored once (duplicates answered as such), per-thread turns.
    name: 'store-inbound',
    mutate: ['src/store/inbound.ts'],
    tests: storeContractTests,
    minutes: 30,
  },
  {
    // The outbox's rows: enqueue, load for a send, outcomes, dead letters, the queue per lane.
    name: 'store-outbox',
    mutate: ['src/store/outbox.ts', 'src/store/outbox-queue.ts'],
    tests: storeContractTests,
    minutes: 30,
  },
  {
    // Commits made durable: the WAL flush at synchronous "full", checkpoints.
    name: 'store-durability',
    mutate: ['src/store/wal-sync.ts', 'src/store/checkpointer.ts', 'src/store/checkpoint-worker.ts'],
    tests: ['test/store/wal-sync.test.ts', 'test/store/sqlite.test.ts', 'test/group-commit.test.ts'],
    minutes: 30,
  },
  {
    name: 'store-timers',
    mutate: ['src/store/timers.ts'],
    tests: storeContractTests,
    minutes: 30,
  },
];

function storeGroups(): MutationGroup[] {
  const parts = storeParts.map((g) => ({ ...g, folder: 'src/store' }));
  const rest: MutationGroup = {
    name: 'store-rest',
    folder: 'src/store',
    mutate: ['src/store/**/*.ts', ...parts.flatMap((g) => g.mutate.map((m) => `!${m}`))],
    tests: [
      'test/store/sqlite.test.ts',
      'test/store/sqlite-dialect.test.ts',
      'test/store/prepared.test.ts',
      'test/store/envelope-json.test.ts',
    ],
    minutes: 120,
  };
  return [...parts, rest];
}

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
    // The destination's send window, holds shared through Redis, and the wait the desk shows.
    name: 'outbox-pace',
    folder: 'src/outbox',
    mutate: ['src/outbox/send-window.ts', 'src/outbox/shared-holds.ts', 'src/outbox/queue-wait.ts'],
    tests: outboxTests,
    minutes: 25,
  },
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
    mutate: ['src/pipeline/**/*.ts', '!src/pipeline/heartbeat.ts'],
    tests: ['test/pipeline/**/*.test.ts', 'test/group-commit.test.ts'],
    minutes: 40,
  },
  {
    // Heartbeats exist for routers sharing PostgreSQL, and so do their tests: run it with DATABASE_URL set
    // (without it the tests are skipped and every mutant shows as not covered).
    name: 'pipeline-heartbeat',
    folder: 'src/pipeline',
    mutate: ['src/pipeline/heartbeat.ts'],
    tests: ['test/pipeline/heartbeat.test.ts'],
    minutes: 15,
  },
  // src/store is split by promise: each sub-group keeps its own budget and incremental file,
  // and `store-rest` holds everything the others leave out, so the folder's score covers it all.
  ...storeGroups(),
];
