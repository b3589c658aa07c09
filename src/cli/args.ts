import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { parseDuration } from '../duration.ts';
import { TouchpointError } from '../errors.ts';

/** The command line itself is wrong: exit code 2, with the command's usage. */
export class UsageError extends TouchpointError {
  readonly usage: string;
  constructor(message: string, usage: string) {
    super('usage', message);
    this.usage = usage;
  }
}

export const helpOption = { help: { type: 'boolean', short: 'h' } } as const;
export const jsonOption = { json: { type: 'boolean' } } as const;

/** `parseArgs`, with its errors turned into UsageErrors that carry the command's usage. */
export function parseCommand<O extends ParseArgsOptionsConfig>(
  args: string[],
  options: O,
  usage: string,
  positionals: { min?: number; max: number } = { max: 0 },
) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(cleanMessage((err as Error).message), usage);
  }
  const help = (parsed.values as { help?: boolean }).help === true;
  if (!help) {
    if (parsed.positionals.length > positionals.max) {
      throw new UsageError(`unexpected argument "${parsed.positionals[positionals.max]}"`, usage);
    }
    if (parsed.positionals.length < (positionals.min ?? 0)) throw new UsageError('missing argument', usage);
  }
  return { values: parsed.values, positionals: parsed.positionals, help };
}

/** node:util's messages mention its API ("To specify a positional argument…"); keep the first sentence. */
function cleanMessage(message: string): string {
  const first = message.split('. ')[0] ?? message;
  return first.replace(/^Unknown option '(.+)'$/, 'unknown option $1').replace(/\.$/, '');
}

/** A positive whole number from a flag's text. */
export function positiveInt(text: string | undefined, flag: string, usage: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive whole number, got "${text}"`, usage);
  return n;
}

/** The length of a `--since` period ending now, in milliseconds. */
export function sinceMs(text: string, usage: string): number {
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`--since must be a duration such as 24h, 7d or 30d, not "${text}"`, usage);
  }
}
