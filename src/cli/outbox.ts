import { audit } from '../access/audit.ts';
import { TouchpointError } from '../errors.ts';
import type { DeadLetter, Store } from '../store/contract.ts';
import { helpOption, jsonOption, parseCommand, positiveInt, UsageError } from './args.ts';
import { type CliContext, type Command, dataOption } from './context.ts';
import { excerpt, isoTime, table } from './output.ts';
import { runSubcommand } from './subcommands.ts';
import { withStore } from './with-store.ts';

const BATCH = 1000;
const MAX_BATCHES = 100;

const deadUsage = `Usage: touchpoint outbox dead [--limit N] [--data DIR] [--json]

Lists messages that could not be delivered (dead letters), newest first.

Options:
  --limit N    at most N (default 100, at most 1000)
  --data DIR   data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)
  --json       print JSON`;

const retryUsage = `Usage: touchpoint outbox retry ID | --all [--by NAME] [--data DIR] [--json]

Puts dead letters back in the queue, due now; a running router sends them. Each retry is in the audit log.

Options:
  --all        retry every dead letter
  --by NAME    who you are, for the audit log (default: cli)
  --data DIR   data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)
  --json       print JSON`;

const queuesUsage = `Usage: touchpoint outbox queues [--data DIR] [--json]

Lists the replies waiting to be sent, per channel and sending number or account, with how long
the oldest has waited. Replies wait behind each sender's pace (a US long code sends one SMS a
second); the dashboard's Outbox page and the desk also show when they are expected out.

Options:
  --data DIR   data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)
  --json       print JSON`;

const usage = `Usage: touchpoint outbox <queues|dead|retry> …

  queues  replies waiting to be sent, per sender
  dead    list messages that could not be delivered
  retry   queue a dead letter (or --all) again

Run \`touchpoint outbox <queues|dead|retry> --help\` for the options.`;

export const outboxCommand: Command = {
  usage,
  run: (args, ctx) => runSubcommand(args, ctx, usage, { queues, dead, retry }),
};

async function queues(args: string[], ctx: CliContext): Promise<number> {
  const { values, help } = parseCommand(args, { ...helpOption, ...jsonOption, ...dataOption }, queuesUsage);
  if (help) {
    ctx.out.help(queuesUsage);
    return 0;
  }
  const lanes = await withStore(ctx, values.data, (store) => store.outboxLanes(1000));
  const now = Date.now();
  const waited = (dueAt: number) => `${Math.max(0, Math.round((now - dueAt) / 1000))} s`;
  ctx.out.result({ queues: lanes }, () =>
    lanes.length === 0
      ? 'no replies waiting'
      : table(
          ['CHANNEL', 'FROM', 'WAITING', 'OLDEST WAITED'],
          lanes.map((l) => [l.channel, l.destination, String(l.waiting), waited(l.oldestDueAt)]),
        ),
  );
  return 0;
}

async function dead(args: string[], ctx: CliContext): Promise<number> {
  const { values, help } = parseCommand(
    args,
    { ...helpOption, ...jsonOption, ...dataOption, limit: { type: 'string' } },
    deadUsage,
  );
  if (help) {
    ctx.out.help(deadUsage);
    return 0;
  }
  const limit = positiveInt(values.limit, '--limit', deadUsage) ?? 100;
  const letters = await withStore(ctx, values.data, (store) => store.listDeadLetters(limit));
  ctx.out.result({ deadLetters: letters.map(summary) }, () =>
    letters.length === 0
      ? 'no dead letters'
      : table(
          ['ID', 'CHANNEL', 'DESTINATION', 'ATTEMPTS', 'FAILED', 'ERROR', 'TEXT'],
          letters.map((d) => [
            d.id,
            d.channel,
            d.customer,
            String(d.attempts),
            isoTime(d.failedAt),
            excerpt(d.lastError ?? '-', 50),
            excerpt(d.text, 50),
          ]),
        ),
  );
  return 0;
}

function summary(d: DeadLetter) {
  return {
    id: d.id,
    conversationId: d.conversationId,
    channel: d.channel,
    destination: d.customer,
    sendingKey: d.destination,
    attempts: d.attempts,
    error: d.lastError,
    failedAt: d.failedAt,
    text: d.text,
  };
}

async function retry(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help } = parseCommand(
    args,
    { ...helpOption, ...jsonOption, ...dataOption, all: { type: 'boolean' }, by: { type: 'string' } },
    retryUsage,
    { max: 1 },
  );
  if (help) {
    ctx.out.help(retryUsage);
    return 0;
  }
  const id = positionals[0];
  if ((values.all === true) === (id !== undefined))
    throw new UsageError('give either a dead letter ID or --all', retryUsage);
  const actor = { agentId: values.by ?? 'cli', name: values.by ?? 'cli', role: 'admin', via: 'cli' } as const;
  /** The retry and its audit entry in one transaction. */
  const retryOne = (store: Store, job: string) =>
    store.transaction(async (tx) => {
      const now = Date.now();
      const done = await tx.retryDeadLetter(job, now);
      if (done) await audit(tx, actor, 'retry', {}, { outboxId: job }, now);
      return done;
    });
  const retried = await withStore(ctx, values.data, async (store) => {
    if (id !== undefined) return (await retryOne(store, id)) ? [id] : [];
    const ids: string[] = [];
    for (let i = 0; i < MAX_BATCHES; i++) {
      const batch = await store.listDeadLetters(BATCH);
      for (const d of batch) if (await retryOne(store, d.id)) ids.push(d.id);
      if (batch.length < BATCH) break;
    }
    return ids;
  });
  if (id !== undefined && retried.length === 0) throw new TouchpointError('not_found', `no dead letter with id ${id}`);
  ctx.out.result({ retried }, () => `queued ${retried.length} message${retried.length === 1 ? '' : 's'} again`);
  return 0;
}
