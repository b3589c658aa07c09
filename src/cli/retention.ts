import { openBlobStore } from '../blobs/open.ts';
import { runRetention } from '../privacy/retention.ts';
import { helpOption, jsonOption, parseCommand } from './args.ts';
import { type CliContext, type Command, configOptions, dataDirOf, dataOption } from './context.ts';
import { loadConfig } from './load-config.ts';
import { isoTime, table } from './output.ts';
import { runSubcommand } from './subcommands.ts';
import { withStore } from './with-store.ts';

const usage = `Usage: touchpoint retention run [--dry-run] [--config DIR] [--flows DIR] [--data DIR] [--json]

Applies config/retention.yaml now, as the router does on its daily timer: routed raw
payloads, messages and resolved conversations older than their limit are removed in
small batches (the router may keep running). Anonymous counts stay, so reports do not
change; what still waits to be routed or sent, and dead letters, are never removed.
Attachment files no remaining message holds are deleted from the blob store.
On SQLite the freed space is given back to the file system.

Options:
  --dry-run      only count what would be removed (FILES: attachment files that would go)
  --config DIR   config folder (default: config)
  --flows DIR    flows folder (default: flows)
  --data DIR     data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)
  --json         print JSON`;

const LABEL = {
  rawPayloads: 'raw payloads',
  messages: 'messages',
  resolvedConversations: 'resolved conversations',
} as const;

async function runSub(args: string[], ctx: CliContext): Promise<number> {
  const { values, help } = parseCommand(
    args,
    { ...helpOption, ...jsonOption, ...dataOption, ...configOptions, 'dry-run': { type: 'boolean' } },
    usage,
  );
  if (help) {
    ctx.out.help(usage);
    return 0;
  }
  const settings = loadConfig({
    configDir: values.config,
    flowsDir: values.flows,
    adapters: ctx.adapters,
    env: ctx.env,
  });
  const dryRun = values['dry-run'] === true;
  const report = await withStore(ctx, values.data, (store) =>
    runRetention(store, settings.retention, Date.now(), {
      dryRun,
      blobs: openBlobStore(settings.router.attachments, dataDirOf(ctx, values.data)),
    }),
  );
  ctx.out.result(report, () => {
    if (report.lines.length === 0) return 'no retention limits are set in retention.yaml: nothing removed';
    const verb = dryRun ? 'would remove' : 'removed';
    return [
      ...table(
        ['CHANNEL', 'DATA', 'OLDER THAN', 'BEFORE', verb.toUpperCase(), ...(dryRun ? ['FILES'] : [])],
        report.lines.map((l) => [
          l.channel,
          LABEL[l.kind],
          l.olderThan,
          isoTime(l.before),
          String(l.count),
          ...(dryRun ? [String(l.blobs ?? 0)] : []),
        ]),
      ),
      ...(dryRun ? [] : [`space given back: ${report.reclaimedPages} pages`]),
      ...(report.files
        ? [
            `attachment files: ${report.files.deleted} deleted, ${report.files.shared} kept (still in use), ${report.files.left} left to retry`,
          ]
        : []),
    ];
  });
  return 0;
}

export const retentionCommand: Command = {
  usage,
  run: (args, ctx) => runSubcommand(args, ctx, usage, { run: runSub }),
};
