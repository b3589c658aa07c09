import type { AdapterRegistry } from '../../src/channel/contract.ts';
import { main } from '../../src/cli/main.ts';
import type { Env } from '../../src/settings/env-refs.ts';
import { testAdapters } from '../settings/helpers.ts';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output. */
export async function cli(argv: string[], env: Env = {}, adapters: AdapterRegistry = testAdapters): Promise<Run> {
  const out = { stdout: '', stderr: '' };
  const code = await main(argv, {
    adapters,
    env,
    io: {
      stdout: (text) => {
        out.stdout += text;
      },
      stderr: (text) => {
        out.stderr += text;
      },
    },
  });
  return { code, ...out };
}
