import { createAgent, listAgents, ROLES, revokeTokens, rotateToken, updateAgent } from '../access/agents.ts';
import type { Actor } from '../access/audit.ts';
import type { Role } from '../store/access-records.ts';
import { helpOption, jsonOption, parseCommand, UsageError } from './args.ts';
import { type CliContext, type Command, dataOption } from './context.ts';
import { isoTime, table } from './output.ts';
import { runSubcommand } from './subcommands.ts';
import { withStore } from './with-store.ts';

const DATA = '  --data DIR   data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)';
const BY = '  --by NAME    who you are, for the audit log (default: cli)';

const usages = {
  create: `Usage: touchpoint agents create ID --name NAME [--role agent|admin] [--slack USER] [--by NAME] [--data DIR] [--json]

Creates a named agent with its own API token. The token is printed once: only its salted hash is kept.

Options:
  --name NAME    display name replies carry
  --role ROLE    agent (default) or admin: export, erase, config reload and agent management are admin only
  --slack USER   the Slack user id (U…) this agent acts as on the desk
${BY}
${DATA}`,
  list: `Usage: touchpoint agents list [--data DIR] [--json]

Lists agents with their role, Slack user and how many live tokens each holds.

Options:
${DATA}`,
  update: `Usage: touchpoint agents update ID [--name NAME] [--role agent|admin] [--slack USER|none] [--by NAME] [--data DIR] [--json]

Changes an agent's display name, role or Slack user (--slack none unlinks it).

Options:
${BY}
${DATA}`,
  rotate: `Usage: touchpoint agents rotate ID [--by NAME] [--data DIR] [--json]

Revokes the agent's tokens and prints a new one (once).

Options:
${BY}
${DATA}`,
  revoke: `Usage: touchpoint agents revoke ID [--by NAME] [--data DIR] [--json]

Revokes every token of the agent: the API refuses them from now on (401).

Options:
${BY}
${DATA}`,
};

const usage = `Usage: touchpoint agents <create|list|update|rotate|revoke> …

  create   a named agent with its own API token (shown once)
  list     agents, roles, Slack users, live tokens
  update   change name, role or Slack user
  rotate   replace the agent's token
  revoke   revoke the agent's tokens

Run \`touchpoint agents <subcommand> --help\` for the options.`;

export const agentsCommand: Command = {
  usage,
  run: (args, ctx) => runSubcommand(args, ctx, usage, { create, list, update, rotate, revoke }),
};

const common = { ...helpOption, ...jsonOption, ...dataOption, by: { type: 'string' } } as const;
const fields = { name: { type: 'string' }, role: { type: 'string' }, slack: { type: 'string' } } as const;

/** Whoever runs the CLI holds the data folder: an admin. */
const cliActor = (by: string | undefined): Actor => ({
  agentId: by ?? 'cli',
  name: by ?? 'cli',
  role: 'admin',
  via: 'cli',
});

function helped(ctx: CliContext, text: string): number {
  ctx.out.help(text);
  return 0;
}

function roleOf(text: string | undefined, u: string): Role | undefined {
  if (text === undefined) return undefined;
  if (!(ROLES as readonly string[]).includes(text))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}`, u);
  return text as Role;
}

async function create(args: string[], ctx: CliContext): Promise<number> {
  const u = usages.create;
  const { values, positionals, help } = parseCommand(args, { ...common, ...fields }, u, { min: 1, max: 1 });
  if (help) return helped(ctx, u);
  if (!values.name) throw new UsageError('--name is required', u);
  const agent = {
    id: positionals[0] as string,
    name: values.name,
    role: roleOf(values.role, u) ?? 'agent',
    slackUser: values.slack ?? null,
  };
  const made = await withStore(ctx, values.data, (store) => createAgent(store, agent, cliActor(values.by), Date.now()));
  ctx.out.result(made, () => [
    `agent ${made.agent.id} (${made.agent.role}) created`,
    `token (shown once; keep it somewhere safe): ${made.token}`,
  ]);
  return 0;
}

async function list(args: string[], ctx: CliContext): Promise<number> {
  const { values, help } = parseCommand(args, common, usages.list, { min: 0, max: 0 });
  if (help) return helped(ctx, usages.list);
  const agents = await withStore(ctx, values.data, listAgents);
  ctx.out.result({ agents }, () =>
    agents.length === 0
      ? 'no agents (the bootstrap admin token still works)'
      : table(
          ['ID', 'NAME', 'ROLE', 'SLACK', 'TOKENS', 'CREATED'],
          agents.map((a) => [a.id, a.name, a.role, a.slackUser ?? '-', String(a.liveTokens), isoTime(a.createdAt)]),
        ),
  );
  return 0;
}

async function update(args: string[], ctx: CliContext): Promise<number> {
  const u = usages.update;
  const { values, positionals, help } = parseCommand(args, { ...common, ...fields }, u, { min: 1, max: 1 });
  if (help) return helped(ctx, u);
  const role = roleOf(values.role, u);
  const patch = {
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(role ? { role } : {}),
    ...(values.slack !== undefined ? { slackUser: values.slack === 'none' ? null : values.slack } : {}),
  };
  if (Object.keys(patch).length === 0) throw new UsageError('give at least one of --name, --role, --slack', u);
  const id = positionals[0] as string;
  const agent = await withStore(ctx, values.data, (s) => updateAgent(s, id, patch, cliActor(values.by), Date.now()));
  ctx.out.result(agent, () => `agent ${agent.id}: ${agent.name}, ${agent.role}, Slack ${agent.slackUser ?? '-'}`);
  return 0;
}

async function rotate(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help } = parseCommand(args, common, usages.rotate, { min: 1, max: 1 });
  if (help) return helped(ctx, usages.rotate);
  const id = positionals[0] as string;
  const r = await withStore(ctx, values.data, (s) => rotateToken(s, id, cliActor(values.by), Date.now()));
  ctx.out.result(r, () => [`old tokens of ${id} revoked`, `new token (shown once): ${r.token}`]);
  return 0;
}

async function revoke(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help } = parseCommand(args, common, usages.revoke, { min: 1, max: 1 });
  if (help) return helped(ctx, usages.revoke);
  const id = positionals[0] as string;
  const r = await withStore(ctx, values.data, (s) => revokeTokens(s, id, cliActor(values.by), Date.now()));
  ctx.out.result(r, () => `${r.revoked} token${r.revoked === 1 ? '' : 's'} of ${id} revoked`);
  return 0;
}
