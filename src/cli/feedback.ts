import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { feedbackCsv, feedbackExport } from '../metrics/feedback.ts';
import { helpOption, jsonOption, parseCommand, sinceMs } from './args.ts';
import { type Command, configOptions, dataOption } from './context.ts';
import { loadConfig } from './load-config.ts';
import { excerpt, isoTime, table } from './output.ts';
import { withStore } from './with-store.ts';

const usage = `Usage: touchpoint feedback [--since 30d] [--csv FILE] [--json]

Product feedback of a period for the product team: the conversations that config/trends.yaml
\`feedback\` marks by intent or tag (feature requests, bug reports …).

Options:
  --since DURATION   the period ending now: 7d, 30d … (default 30d)
  --csv FILE         also write them as CSV to FILE
  --config DIR       config folder (default config)
  --data DIR         data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)
  --json             print JSON`;

export const feedbackCommand: Command = {
  usage,
  async run(args, ctx) {
    const { values, help } = parseCommand(
      args,
      {
        ...helpOption,
        ...jsonOption,
        ...dataOption,
        ...configOptions,
        since: { type: 'string', default: '30d' },
        csv: { type: 'string' },
      },
      usage,
    );
    if (help) {
      ctx.out.help(usage);
      return 0;
    }
    const since = sinceMs(values.since, usage);
    const settings = loadConfig({
      configDir: values.config,
      flowsDir: values.flows,
      adapters: ctx.adapters,
      env: ctx.env,
    });
    const now = Date.now();
    const items = await withStore(ctx, values.data, (store) =>
      feedbackExport(store, settings.policies.trends, now - since, now),
    );
    if (values.csv) {
      const file = resolve(values.csv);
      await writeFile(file, feedbackCsv(items));
      ctx.out.info(`wrote ${items.length} rows to ${file}`);
    }
    ctx.out.result({ items }, () =>
      items.length === 0
        ? ['no feedback in the period']
        : table(
            ['kind', 'opened', 'channel', 'contact', 'text'],
            items.map((i) => [i.kind, isoTime(i.createdAt), i.channel, i.contact ?? '', excerpt(i.text)]),
          ),
    );
    return 0;
  },
};
