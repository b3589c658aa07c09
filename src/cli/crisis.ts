import type { Actor } from '../access/audit.ts';
import { crisisStatus, switchCrisis } from '../policies/crisis-switch.ts';
import type { Crisis } from '../store/operations-records.ts';
import { helpOption, jsonOption, parseCommand } from './args.ts';
import { type CliContext, type Command, dataOption } from './context.ts';
import { isoTime } from './output.ts';
import { runSubcommand } from './subcommands.ts';
import { withStore } from './with-store.ts';

const options = `Options:
  --by NAME    who you are, for the pages, the banner and the audit log (default: cli)
  --data DIR   data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)
  --json       print JSON`;

const onUsage = `Usage: touchpoint crisis on [--reason TEXT] [--by NAME] [--data DIR] [--json]

Switches crisis mode on: automated flows and follow-ups pause, every customer who
writes gets the holding statement once per conversation (the public statement on
public touchpoints), the crisis chain of command of crisis.yaml is paged and the
desk channel gets a banner. A running router carries it out within a second.

  --reason TEXT  what happened, quoted in the pages and the banner
${options}`;

const offUsage = `Usage: touchpoint crisis off [--by NAME] [--data DIR] [--json]

Switches crisis mode off: the paused follow-ups fire, in the order they fell
due, and the flows answer again. The chain of command and the desk are told.

${options}`;

const statusUsage = `Usage: touchpoint crisis status [--data DIR] [--json]

Whether crisis mode is on, since when and by whom, and the latest crises.`;

const usage = `Usage: touchpoint crisis <on|off|status> …

  on       switch crisis mode on
  off      switch it off: paused follow-ups resume, in order
  status   whether it is on, and the latest crises

Run \`touchpoint crisis <on|off|status> --help\` for the options.`;

export const crisisCommand: Command = {
  usage,
  run: (args, ctx) =>
    runSubcommand(args, ctx, usage, {
      on: (a, c) => flip(a, c, true),
      off: (a, c) => flip(a, c, false),
      status,
    }),
};

/** Whoever runs the CLI holds the data folder: an admin. */
const cliActor = (by: string | undefined): Actor => ({
  agentId: by ?? 'cli',
  name: by ?? 'cli',
  role: 'admin',
  via: 'cli',
});

async function flip(args: string[], ctx: CliContext, on: boolean): Promise<number> {
  const text = on ? onUsage : offUsage;
  const { values, help } = parseCommand(
    args,
    {
      ...helpOption,
      ...jsonOption,
      ...dataOption,
      by: { type: 'string' },
      ...(on ? { reason: { type: 'string' } } : {}),
    },
    text,
  );
  if (help) {
    ctx.out.help(text);
    return 0;
  }
  const reason = typeof values.reason === 'string' ? values.reason : undefined;
  const input = { on, actor: cliActor(values.by), ...(reason ? { reason } : {}) };
  const state = await withStore(ctx, values.data, (store) =>
    store.transaction((tx) => switchCrisis(tx, input, Date.now())),
  );
  ctx.out.result(state, () => {
    if (!state.changed)
      return on ? `crisis mode was already on (${describe(state.crisis)})` : 'crisis mode was already off';
    return on
      ? `crisis mode is ON (${describe(state.crisis)}): automation paused, the chain of command is paged`
      : 'crisis mode is OFF: paused follow-ups resume, in order';
  });
  return 0;
}

async function status(args: string[], ctx: CliContext): Promise<number> {
  const { values, help } = parseCommand(args, { ...helpOption, ...jsonOption, ...dataOption }, statusUsage);
  if (help) {
    ctx.out.help(statusUsage);
    return 0;
  }
  const s = await withStore(ctx, values.data, (store) => store.transaction((tx) => crisisStatus(tx)));
  ctx.out.result(s, () => [
    s.crisis ? `crisis mode is ON (${describe(s.crisis)})` : 'crisis mode is off',
    ...s.recent
      .filter((c) => c.endedAt !== null)
      .map((c) => `  earlier: ${describe(c)}, ended ${isoTime(c.endedAt ?? 0)} by ${c.endedBy ?? '?'}`),
  ]);
  return 0;
}

function describe(c: Crisis | null): string {
  if (!c) return 'none';
  return `since ${isoTime(c.startedAt)} by ${c.startedBy}${c.reason ? `: ${c.reason}` : ''}`;
}
