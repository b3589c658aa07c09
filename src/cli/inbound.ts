import { helpOption, jsonOption, parseCommand, positiveInt } from './args.ts';
import { type CliContext, type Command, dataOption } from './context.ts';
import { excerpt, isoTime, table } from './output.ts';
import { runSubcommand } from './subcommands.ts';
import { withStore } from './with-store.ts';

const unreadableUsage = `Usage: touchpoint inbound unreadable [--limit N] [--data DIR] [--json]

Lists signed provider payloads that could not be read, newest first: each was
answered with success (so the provider stops sending it) and kept here with
the reason. --json prints each payload whole (base64 when it is not text).

Options:
  --limit N    at most N (default 20, at most 1000)
  --data DIR   data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)
  --json       print JSON`;

const usage = `Usage: touchpoint inbound <unreadable> …

  unreadable   list signed payloads that could not be read, with the reason

Run \`touchpoint inbound unreadable --help\` for the options.`;

export const inboundCommand: Command = {
  usage,
  run: (args, ctx) => runSubcommand(args, ctx, usage, { unreadable }),
};

async function unreadable(args: string[], ctx: CliContext): Promise<number> {
  const { values, help } = parseCommand(
    args,
    { ...helpOption, ...jsonOption, ...dataOption, limit: { type: 'string' } },
    unreadableUsage,
  );
  if (help) {
    ctx.out.help(unreadableUsage);
    return 0;
  }
  const limit = positiveInt(values.limit, '--limit', unreadableUsage) ?? 20;
  const kept = await withStore(ctx, values.data, (store) => store.listUnreadable(limit));
  ctx.out.result({ unreadable: kept }, () =>
    kept.length === 0
      ? 'no unreadable payloads'
      : table(
          ['ID', 'CHANNEL', 'RECEIVED', 'REASON', 'PAYLOAD'],
          kept.map((u) => [
            u.id,
            u.channel,
            isoTime(u.receivedAt),
            excerpt(u.reason, 60),
            u.encoding === 'base64' ? `(${u.payload.length} base64 characters)` : excerpt(u.payload, 60),
          ]),
        ),
  );
  return 0;
}
