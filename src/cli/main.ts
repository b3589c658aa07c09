import type { AdapterRegistry } from '../channel/contract.ts';
import { ConfigError, ErrorCode, TouchpointError } from '../errors.ts';
import type { Env } from '../settings/env-refs.ts';
import { UsageError } from './args.ts';
import type { CliContext, Command } from './context.ts';
import { type CliIO, Output, processIO } from './output.ts';

interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/**
 * Every command, in the order `--help` lists them. Each is imported only when run: the router's
 * modules and the channels' SDKs cost seconds to load, and `--help` or `check` need none of them.
 */
const COMMANDS: CommandEntry[] = [
  { name: 'start', summary: 'run the router', load: async () => (await import('./start.ts')).startCommand },
  {
    name: 'check',
    summary: 'validate config/ and flows/',
    load: async () => (await import('./check.ts')).checkCommand,
  },
  {
    name: 'schema',
    summary: 'write the JSON Schemas of the config and flow files',
    load: async () => (await import('./schema-command.ts')).schemaCommand,
  },
  {
    name: 'reference',
    summary: 'print or write the flow language reference (docs/flow-reference.md)',
    load: async () => (await import('./reference.ts')).referenceCommand,
  },
  {
    name: 'conversations',
    summary: 'list conversations or show one',
    load: async () => (await import('./conversations.ts')).conversationsCommand,
  },
  {
    name: 'contacts',
    summary: 'list, show, link and merge contacts; answer suggested matches',
    load: async () => (await import('./contacts.ts')).contactsCommand,
  },
  {
    name: 'outbox',
    summary: 'list undeliverable messages and retry them',
    load: async () => (await import('./outbox.ts')).outboxCommand,
  },
  {
    name: 'inbound',
    summary: 'list signed provider payloads that could not be read',
    load: async () => (await import('./inbound.ts')).inboundCommand,
  },
  {
    name: 'test-flows',
    summary: 'run flow transcripts on a virtual clock',
    load: async () => (await import('./test-flows.ts')).testFlowsCommand,
  },
  {
    name: 'flows',
    summary: 'list flows, or draw one as Mermaid and SVG',
    load: async () => (await import('./flows-graph.ts')).flowsCommand,
  },
  {
    name: 'report',
    summary: 'KPIs of a period against their targets; --html writes charts',
    load: async () => (await import('./report.ts')).reportCommand,
  },
  {
    name: 'crisis',
    summary: 'switch crisis mode on or off, or show it',
    load: async () => (await import('./crisis.ts')).crisisCommand,
  },
  {
    name: 'feedback',
    summary: 'feature requests and bug reports of a period, as CSV or JSON',
    load: async () => (await import('./feedback.ts')).feedbackCommand,
  },
  {
    name: 'knowledge',
    summary: 'search the knowledge base as the router does, with scores',
    load: async () => (await import('./knowledge.ts')).knowledgeCommand,
  },
  {
    name: 'backup',
    summary: 'copy the SQLite store consistently, while the router runs',
    load: async () => (await import('./backup.ts')).backupCommand,
  },
  {
    name: 'retention',
    summary: 'remove data past its retention limit now (--dry-run counts)',
    load: async () => (await import('./retention.ts')).retentionCommand,
  },
  {
    name: 'doctor',
    summary: 'what is enabled, what fails and why',
    load: async () => (await import('./doctor.ts')).doctorCommand,
  },
  {
    name: 'audit',
    summary: 'show the audit log of agent and admin actions',
    load: async () => (await import('./audit.ts')).auditCommand,
  },
  {
    name: 'agents',
    summary: 'create, list, update agents; rotate and revoke their API tokens',
    load: async () => (await import('./agents.ts')).agentsCommand,
  },
  {
    name: 'broadcast',
    summary: 'send a template to a segment of contacts; list, show, pause, resume, cancel',
    load: async () => (await import('./broadcast.ts')).broadcastCommand,
  },
  {
    name: 'reload',
    summary: 'apply changed config and flows to the running router',
    load: async () => (await import('./reload.ts')).reloadCommand,
  },
];

const usage = `Usage: touchpoint <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(15)}${c.summary}`).join('\n')}

Run \`touchpoint <command> --help\` for a command's options.`;

export interface MainDeps {
  adapters: AdapterRegistry;
  /** Where output goes (the process's stdout and stderr by default). */
  io?: CliIO;
  /** The environment `${VAR}` references, PORT, DATABASE_URL … are read from (process.env by default). */
  env?: Env;
}

/** Runs one CLI invocation; resolves to the process exit code (0 ok, 1 failure, 2 bad command line). */
export async function main(argv: string[], deps: MainDeps): Promise<number> {
  const out = new Output(deps.io ?? processIO, argv.includes('--json'));
  const ctx: CliContext = { out, adapters: deps.adapters, env: deps.env ?? process.env };
  const [name, ...args] = argv;
  try {
    if (name === '--help' || name === '-h' || name === 'help') {
      out.help(usage);
      return 0;
    }
    if (name === undefined) throw new UsageError('no command given', usage);
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}"`, usage);
    return await (await command.load()).run(args, ctx);
  } catch (err) {
    return report(err, out);
  }
}

function report(err: unknown, out: Output): number {
  if (err instanceof UsageError) {
    out.error({ code: err.code, message: err.message, usage: err.usage });
    return 2;
  }
  if (err instanceof ConfigError) {
    const n = err.problems.length;
    out.error({
      code: err.code,
      message: `the configuration has ${n} problem${n === 1 ? '' : 's'}`,
      problems: err.problems,
    });
    return 1;
  }
  if (err instanceof TouchpointError) {
    out.error({ code: err.code, message: err.message });
    return 1;
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  out.error({ code: ErrorCode.Internal, message: `unexpected failure: ${message}` });
  return 1;
}
