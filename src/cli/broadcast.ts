import {
  type BroadcastView,
  type Control,
  controlBroadcast,
  createBroadcast,
  getView,
  viewOf,
} from '../broadcast/actions.ts';
import { createBody } from '../broadcast/definition.ts';
import { validate } from '../http/json-body.ts';
import { helpOption, jsonOption, parseCommand, positiveInt, UsageError } from './args.ts';
import { type CliContext, type Command, configOptions, dataOption } from './context.ts';
import { loadConfig } from './load-config.ts';
import { isoTime, progressBar, table } from './output.ts';
import { runSubcommand } from './subcommands.ts';
import { withStore } from './with-store.ts';

const common = `  --by NAME    who you are, for the audit log (default: cli)
  --data DIR   data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)
  --json       print JSON`;

const createUsage = `Usage: touchpoint broadcast create --name NAME --channel CHANNEL (--template ID | --text TEXT)
                                  [--tag TAG]… [--attr NAME=VALUE]… [--vip | --not-vip]
                                  [--has-channel CHANNEL] [--consent CHANNEL]
                                  [--last-contact-after DATE] [--last-contact-before DATE] [--bug ISSUE]
                                  [--at DATE-TIME] [--ignore-quiet-hours] [--by NAME] [--data DIR] [--json]

Makes a broadcast: a template (one of templates.yaml, or --text) to the contacts of a segment.
A running router sends it, from --at or now, paced by the outbox limiter.

Options:
  --tag TAG                 contacts with this tag (repeat: all of them)
  --attr NAME=VALUE         contacts whose attribute NAME is VALUE (repeatable)
  --vip, --not-vip          VIP contacts only, or none of them
  --has-channel CHANNEL     contacts with a conversation on CHANNEL
  --consent CHANNEL         contacts with recorded consent for CHANNEL
  --last-contact-after/-before DATE   when their last message to us came
  --bug ISSUE               contacts with a conversation linked to this known issue: its number
                            (42, #42), its URL in the tracker, or the bug's id
  --ignore-quiet-hours      send at any hour (default: only while the business calendar is open
                            in each contact's own timezone)
  --config DIR, --flows DIR the business config (default: config, flows)
${common}`;

const listUsage = `Usage: touchpoint broadcast list [--limit N] [--data DIR] [--json]

Lists broadcasts, newest first, with their progress.`;

const showUsage = `Usage: touchpoint broadcast show ID [--watch] [--data DIR] [--json]

One broadcast and its progress bar; --watch prints it again every second until it ends.`;

const controlUsage = (c: Control) => `Usage: touchpoint broadcast ${c} ID [--by NAME] [--data DIR] [--json]

${c === 'pause' ? 'Holds a broadcast: recipients not yet queued wait until it is resumed.' : c === 'resume' ? 'Goes on with a paused broadcast.' : 'Stops a broadcast for good: recipients not yet queued get nothing.'} The action is in the audit log.

Options:
${common}`;

const usage = `Usage: touchpoint broadcast <create|list|show|pause|resume|cancel> …

  create   make a broadcast to a segment of contacts
  list     broadcasts with their progress
  show     one broadcast, with a progress bar (--watch to follow it)
  pause, resume, cancel

Run \`touchpoint broadcast <sub> --help\` for the options.`;

export const broadcastCommand: Command = {
  usage,
  run: (args, ctx) =>
    runSubcommand(args, ctx, usage, {
      create,
      list,
      show,
      pause: (a, c) => control('pause', a, c),
      resume: (a, c) => control('resume', a, c),
      cancel: (a, c) => control('cancel', a, c),
    }),
};

const actor = (by: string | undefined) => ({
  agentId: by ?? 'cli',
  name: by ?? 'cli',
  role: 'admin' as const,
  via: 'cli',
});

async function create(args: string[], ctx: CliContext): Promise<number> {
  const { values, help } = parseCommand(
    args,
    {
      ...helpOption,
      ...jsonOption,
      ...dataOption,
      ...configOptions,
      name: { type: 'string' },
      channel: { type: 'string' },
      template: { type: 'string' },
      text: { type: 'string' },
      tag: { type: 'string', multiple: true },
      attr: { type: 'string', multiple: true },
      vip: { type: 'boolean' },
      'not-vip': { type: 'boolean' },
      'has-channel': { type: 'string' },
      consent: { type: 'string' },
      'last-contact-after': { type: 'string' },
      'last-contact-before': { type: 'string' },
      bug: { type: 'string' },
      at: { type: 'string' },
      'ignore-quiet-hours': { type: 'boolean' },
      by: { type: 'string' },
    },
    createUsage,
  );
  if (help) {
    ctx.out.help(createUsage);
    return 0;
  }
  const attributes: Record<string, string> = {};
  for (const pair of values.attr ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`--attr takes NAME=VALUE, got "${pair}"`, createUsage);
    attributes[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const raw = {
    name: values.name,
    channel: values.channel,
    ...(values.template !== undefined ? { template: values.template } : {}),
    ...(values.text !== undefined ? { message: values.text } : {}),
    segment: {
      ...(values.tag ? { tags: values.tag } : {}),
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      ...(values.vip ? { vip: true } : values['not-vip'] ? { vip: false } : {}),
      ...(values['has-channel'] ? { channel: values['has-channel'] } : {}),
      ...(values.consent ? { consent: values.consent } : {}),
      ...(values['last-contact-after'] ? { lastContactAfter: values['last-contact-after'] } : {}),
      ...(values['last-contact-before'] ? { lastContactBefore: values['last-contact-before'] } : {}),
      ...(values.bug ? { bug: values.bug } : {}),
    },
    ...(values.at ? { startAt: values.at } : {}),
    quietHours: values['ignore-quiet-hours'] !== true,
  };
  const body = validate(raw, createBody, 'options');
  const settings = loadConfig({
    configDir: values.config,
    flowsDir: values.flows,
    adapters: ctx.adapters,
    env: ctx.env,
  });
  const channels = Object.entries(settings.channels)
    .filter(([, c]) => c.enabled)
    .map(([name]) => name);
  const view = await withStore(ctx, values.data, (store) =>
    createBroadcast(store, body, { templates: settings.templates, channels, actor: actor(values.by), now: Date.now() }),
  );
  ctx.out.result(view, () => [
    `broadcast ${view.id} created: "${view.name}" on ${view.channel}, from ${isoTime(view.startAt)}`,
  ]);
  return 0;
}

async function list(args: string[], ctx: CliContext): Promise<number> {
  const { values, help } = parseCommand(
    args,
    { ...helpOption, ...jsonOption, ...dataOption, limit: { type: 'string' } },
    listUsage,
  );
  if (help) {
    ctx.out.help(listUsage);
    return 0;
  }
  const limit = positiveInt(values.limit, '--limit', listUsage) ?? 50;
  const views = await withStore(ctx, values.data, async (store) =>
    Promise.all((await store.listBroadcasts(limit)).map((b) => viewOf(store, b))),
  );
  ctx.out.result({ broadcasts: views }, () =>
    views.length === 0
      ? 'no broadcasts'
      : table(
          ['ID', 'NAME', 'CHANNEL', 'STATUS', 'START', 'PROGRESS'],
          views.map((v) => [v.id, v.name, v.channel, v.status, isoTime(v.startAt), progressLine(v)]),
        ),
  );
  return 0;
}

async function show(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help } = parseCommand(
    args,
    { ...helpOption, ...jsonOption, ...dataOption, watch: { type: 'boolean' } },
    showUsage,
    { min: 1, max: 1 },
  );
  if (help) {
    ctx.out.help(showUsage);
    return 0;
  }
  const id = positionals[0] as string;
  let view = await withStore(ctx, values.data, (store) => getView(store, id));
  ctx.out.result(view, () => details(view));
  while (values.watch && !ctx.out.json && (view.status === 'running' || view.status === 'scheduled')) {
    await new Promise((r) => setTimeout(r, 1000));
    view = await withStore(ctx, values.data, (store) => getView(store, id));
    ctx.out.info(`${view.status.padEnd(9)} ${progressLine(view)}`);
  }
  return 0;
}

async function control(c: Control, args: string[], ctx: CliContext): Promise<number> {
  const u = controlUsage(c);
  const { values, positionals, help } = parseCommand(
    args,
    { ...helpOption, ...jsonOption, ...dataOption, by: { type: 'string' } },
    u,
    {
      min: 1,
      max: 1,
    },
  );
  if (help) {
    ctx.out.help(u);
    return 0;
  }
  const view = await withStore(ctx, values.data, (store) =>
    controlBroadcast(store, positionals[0] as string, c, { actor: actor(values.by), now: Date.now() }),
  );
  ctx.out.result(view, () => [`broadcast ${view.id} is ${view.status}`, progressLine(view)]);
  return 0;
}

/** The bar counts recipients whose fate is settled: sent, failed, skipped or cancelled. */
function progressLine(v: BroadcastView): string {
  const p = v.progress;
  const settled = p.sent + p.failed + p.skipped + p.cancelled;
  return `${progressBar(settled, p.recipients)} ${p.sent}/${p.recipients} sent, ${p.skipped} skipped, ${p.failed} failed${p.cancelled ? `, ${p.cancelled} cancelled` : ''}`;
}

function details(v: BroadcastView): string[] {
  const p = v.progress;
  return [
    `${v.name} (${v.id}) on ${v.channel}: ${v.status}`,
    `  starts ${isoTime(v.startAt)}, by ${v.createdBy}, quiet hours ${v.quietHours ? 'kept' : 'ignored'}`,
    `  segment ${JSON.stringify(v.segment)}${v.expanded ? '' : ' (still being expanded)'}`,
    `  ${progressLine(v)}`,
    `  ${p.pending} waiting their turn, ${p.waiting} in the outbox`,
  ];
}
