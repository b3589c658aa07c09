import { resolve } from 'node:path';
import type { AdapterRegistry } from '../channel/contract.ts';
import type { Env } from '../settings/env-refs.ts';
import type { Output } from './output.ts';

/** What every command gets: where to print, the installed adapters, the environment. */
export interface CliContext {
  out: Output;
  adapters: AdapterRegistry;
  env: Env;
}

/** A command's code; its name and summary live in main.ts's table, so `--help` loads no command. */
export interface Command {
  usage: string;
  run(args: string[], ctx: CliContext): Promise<number>;
}

export const configOptions = {
  config: { type: 'string', default: 'config' },
  flows: { type: 'string', default: 'flows' },
} as const;

export const dataOption = { data: { type: 'string' } } as const;

/** `--data`, else TOUCHPOINT_DATA_DIR, else ./data. */
export function dataDirOf(ctx: CliContext, flag: string | undefined): string {
  return resolve(flag ?? (ctx.env.TOUCHPOINT_DATA_DIR || 'data'));
}

/** DATABASE_URL selects PostgreSQL; without it the embedded SQLite store is used. */
export function databaseUrlOf(ctx: CliContext): string | null {
  return ctx.env.DATABASE_URL || null;
}
