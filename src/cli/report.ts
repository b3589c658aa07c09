import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadCalendar } from '../calendar/load.ts';
import { duration, scoredValue, share, verdict } from '../metrics/format.ts';
import type { Dimension } from '../metrics/kpis.ts';
import { buildReport, type Report } from '../metrics/report.ts';
import { helpOption, jsonOption, parseCommand, sinceMs, UsageError } from './args.ts';
import { type Command, configOptions, dataOption } from './context.ts';
import { loadConfig } from './load-config.ts';
import { table } from './output.ts';
import { withStore } from './with-store.ts';

const BY: Dimension[] = ['channel', 'agent', 'category', 'intent', 'touchpoint', 'vip'];

const usage = `Usage: touchpoint report [--since 7d] [--by channel|agent|category|intent|touchpoint|vip] [--json] [--html FILE]

The support KPIs of a period against their targets (config/targets.yaml), in wall and business time.

Options:
  --since DURATION   the period ending now: 24h, 7d, 30d … (default 7d)
  --by DIMENSION     also break the KPIs down by ${BY.join(', ')}
  --html FILE        also write a self-contained HTML report with charts to FILE
  --config DIR       config folder (default config), for opening hours and targets
  --data DIR         data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)
  --json             print JSON`;

export const reportCommand: Command = {
  usage,
  async run(args, ctx) {
    const { values, help } = parseCommand(
      args,
      {
        ...helpOption,
        ...jsonOption,
        ...dataOption,
        ...configOptions,
        since: { type: 'string', default: '7d' },
        by: { type: 'string' },
        html: { type: 'string' },
      },
      usage,
    );
    if (help) {
      ctx.out.help(usage);
      return 0;
    }
    const since = sinceMs(values.since, usage);
    const by = values.by as Dimension | undefined;
    if (by !== undefined && !BY.includes(by)) throw new UsageError(`--by must be one of ${BY.join(', ')}`, usage);
    const settings = loadConfig({
      configDir: values.config,
      flowsDir: values.flows,
      adapters: ctx.adapters,
      env: ctx.env,
    });
    const calendar = loadCalendar(settings.business, settings.configDir);
    const now = Date.now();
    const report = await withStore(ctx, values.data, (store) =>
      buildReport(store, {
        from: now - since,
        to: now,
        now,
        ...(by ? { by } : {}),
        calendar,
        targets: settings.policies.targets,
        sla: settings.policies.sla,
        complaints: settings.policies.trends.complaints,
        dispositions: settings.policies.desk.resolution.dispositions,
      }),
    );
    if (values.html) {
      const file = resolve(values.html);
      // the chart library loads only when charts are drawn
      const { reportHtml } = await import('../metrics/report-html.ts');
      await writeFile(file, await reportHtml(report, settings.business.name));
      ctx.out.info(`wrote ${file}`);
    }
    ctx.out.result(report, () => human(report));
    return 0;
  },
};

function human(r: Report): string[] {
  const k = r.total;
  const lines = [
    ...table(
      ['KPI', 'actual', 'target', ''],
      r.scored.map((s) => [s.label, scoredValue(s, 'actual'), scoredValue(s, 'target'), verdict(s)]),
    ),
    '',
    `opened ${k.volume.conversations} · first response by a person ${duration(k.firstResponse.agent.wall.avgMs)} wall, ${duration(k.firstResponse.agent.business.avgMs)} business · by the bot ${duration(k.firstResponse.bot.wall.avgMs)}`,
    `next response ${duration(k.nextResponse.business.avgMs)} business · resolution ${duration(k.resolution.business.avgMs)} business · backlog ${k.backlog.open} (${share(k.backlog.beyondSla.rate)} beyond SLA)`,
  ];
  if (r.complaints.length > 0)
    lines.push(
      '',
      ...table(
        ['complaints, week of', 'category', 'opened'],
        r.complaints.map((c) => [c.week, c.category, String(c.count)]),
      ),
    );
  if (r.dispositions.length > 0)
    lines.push(
      '',
      ...table(
        ['resolved as', 'code', 'count'],
        r.dispositions.map((d) => [d.label, d.code, String(d.count)]),
      ),
    );
  if (r.by) {
    lines.push(
      '',
      ...table(
        [r.by, 'opened', 'FRT business', 'FCR', 'CSAT', 'AHT'],
        r.groups.map((g) => [
          g.key,
          String(g.kpis.volume.conversations),
          duration(g.kpis.firstResponse.agent.business.avgMs),
          share(g.kpis.fcr.rate),
          share(g.kpis.csat.rate),
          duration(g.kpis.handleTime.avgMs),
        ]),
      ),
    );
  }
  return lines;
}
