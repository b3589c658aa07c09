import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TouchpointError } from '../errors.ts';
import { flowGraph, toMermaid } from '../flow-language/flow-graph.ts';
import { toSvg } from '../flow-language/flow-svg.ts';
import { withSuggestion } from '../settings/suggest.ts';
import { helpOption, jsonOption, parseCommand, UsageError } from './args.ts';
import { type CliContext, type Command, configOptions } from './context.ts';
import { flowsPage } from './flows-page.ts';
import { loadConfig } from './load-config.ts';
import { runSubcommand } from './subcommands.ts';

const graphUsage = `Usage: touchpoint flows graph ID [--svg FILE] [--no-svg] [--config DIR] [--flows DIR] [--json]
       touchpoint flows graph --html FILE [--config DIR] [--flows DIR]

Prints a flow as a Mermaid flowchart (paste it into any Mermaid viewer) and
writes it as an SVG picture. With --html, writes one self-contained page with
every flow's diagram, showing what the customer reads instead of template ids.

Options:
  --html FILE    write the page of every flow to FILE
  --svg FILE     where to write the SVG (default: ID.svg in the current folder)
  --no-svg       print the Mermaid text only
  --config DIR   settings folder (default: config)
  --flows DIR    flows folder (default: flows)
  --json         print { flow, mermaid, svg } as JSON`;

const listUsage = `Usage: touchpoint flows list [--config DIR] [--flows DIR] [--json]

Lists the flows with what starts each.`;

const usage = `Usage: touchpoint flows <graph|list> …

  graph ID   print a flow as Mermaid and write it as SVG
  list       list the flows and their triggers

Run \`touchpoint flows <graph|list> --help\` for the options.`;

export const flowsCommand: Command = {
  usage,
  run: (args, ctx) => runSubcommand(args, ctx, usage, { graph, list }),
};

function settingsOf(ctx: CliContext, values: { config: string; flows: string }) {
  return loadConfig({ configDir: values.config, flowsDir: values.flows, adapters: ctx.adapters, env: ctx.env });
}

async function graph(args: string[], ctx: CliContext): Promise<number> {
  const options = {
    ...helpOption,
    ...jsonOption,
    ...configOptions,
    svg: { type: 'string' },
    'no-svg': { type: 'boolean' },
    html: { type: 'string' },
  } as const;
  const { values, positionals, help } = parseCommand(args, options, graphUsage, { min: 0, max: 1 });
  if (help) {
    ctx.out.help(graphUsage);
    return 0;
  }
  const settings = settingsOf(ctx, values);
  if (values.html !== undefined) {
    const file = resolve(values.html);
    writeFileSync(file, flowsPage(settings));
    ctx.out.result({ html: file, flows: settings.flows.map((f) => f.id) }, () => [
      `wrote ${settings.flows.length} flows to ${file}`,
    ]);
    return 0;
  }
  const id = positionals[0];
  if (id === undefined) throw new UsageError('name the flow to draw, or pass --html FILE for every flow', graphUsage);
  const flow = settings.flows.find((f) => f.id === id);
  if (!flow) {
    const ids = settings.flows.map((f) => f.id);
    throw new TouchpointError(
      'not_found',
      `no flow with the id "${id}": ${withSuggestion(id, ids, `the flows are ${ids.join(', ')}`)}`,
    );
  }
  const g = flowGraph(flow);
  const mermaid = toMermaid(g);
  let svg: string | null = null;
  if (!values['no-svg']) {
    svg = resolve(values.svg ?? `${id}.svg`);
    writeFileSync(svg, toSvg(g, `${flow.id}${flow.description ? ` — ${flow.description}` : ''}`.slice(0, 140)));
  }
  ctx.out.result({ flow: id, mermaid, svg }, () => [
    mermaid.trimEnd(),
    ...(svg ? ['', `%% SVG written to ${svg}`] : []),
  ]);
  return 0;
}

async function list(args: string[], ctx: CliContext): Promise<number> {
  const { values, help } = parseCommand(args, { ...helpOption, ...jsonOption, ...configOptions }, listUsage);
  if (help) {
    ctx.out.help(listUsage);
    return 0;
  }
  const flows = settingsOf(ctx, values).flows.map((f) => ({
    id: f.id,
    priority: f.priority,
    trigger: f.trigger,
    description: f.description ?? null,
  }));
  ctx.out.result({ flows }, () =>
    flows.map((f) => {
      const t = f.trigger;
      const starts = [
        ...t.intents.map((i) => `intent:${i}`),
        ...t.keywords.map((k) => `"${k}"`),
        ...t.events.map((e) => `event:${e}`),
        ...t.after.map((a) => `after:${a}`),
        ...(t.firstMessage ? ['first message'] : []),
        ...(t.fallback ? ['fallback'] : []),
      ];
      return `${f.id.padEnd(20)} ${starts.join(', ') || '(started by another flow)'}`;
    }),
  );
  return 0;
}
