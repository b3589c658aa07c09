import { UsageError } from './args.ts';
import type { CliContext } from './context.ts';

export type Subcommand = (args: string[], ctx: CliContext) => Promise<number>;

/** Dispatches `touchpoint <command> <sub> …` to `subs[sub]`; `--help` or nothing prints the command's usage. */
export async function runSubcommand(
  args: string[],
  ctx: CliContext,
  usage: string,
  subs: Record<string, Subcommand>,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    ctx.out.help(usage);
    return 0;
  }
  if (sub === undefined) throw new UsageError('missing subcommand', usage);
  const run = Object.hasOwn(subs, sub) ? subs[sub] : undefined;
  if (!run) throw new UsageError(`unknown subcommand "${sub}"`, usage);
  return run(rest, ctx);
}
