import type { AdapterRegistry } from '../channel/contract.ts';
import { ConfigError, ErrorCode, TouchpointError } from '../errors.ts';
import type { Env } from '../settings/env-refs.ts';
import { agentsCommand } from './agents.ts';
import { UsageError } from './args.ts';
import { auditCommand } from './audit.ts';
import { backupCommand } from './backup.ts';
import { checkCommand } from './check.ts';
import { contactsCommand } from './contacts.ts';
import type { CliContext, Command } from './context.ts';
import { conversationsCommand } from './conversations.ts';
import { doctorCommand } from './doctor.ts';
import { flowsCommand } from './flows-graph.ts';
import { inboundCommand } from './inbound.ts';
import { outboxCommand } from './outbox.ts';
import { type CliIO, Output, processIO } from './output.ts';
import { reportCommand } from './report.ts';
import { schemaCommand } from './schema-command.ts';
import { startCommand } from './start.ts';
import { testFlowsCommand } from './test-flows.ts';

const COMMANDS: Command[] = [
  startCommand,
  checkCommand,
  schemaCommand,
  conversationsCommand,
  contactsCommand,
  agentsCommand,
  auditCommand,
  outboxCommand,
  inboundCommand,
  testFlowsCommand,
  flowsCommand,
  reportCommand,
  backupCommand,
  doctorCommand,
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
    return await command.run(args, ctx);
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
