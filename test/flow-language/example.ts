import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { adapters } from '../../adapters/registry.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { ConfigError, type ConfigProblem } from '../../src/errors.ts';
import type { Settings } from '../../src/settings/types.ts';

/** The example business of the repository (config/ and flows/), for engine and flow tests. */

export const repoRoot = resolve(import.meta.dirname, '../..');

export function exampleSettings(): Settings {
  return loadConfig({ configDir: join(repoRoot, 'config'), flowsDir: join(repoRoot, 'flows'), adapters, env: {} });
}

export interface ExampleCopy {
  configDir: string;
  flowsDir: string;
  /** Writes a file relative to the copy, e.g. `flows/extra.yaml`; returns its path. */
  write(path: string, text: string): string;
  /** The problems loading the copy reports (none: an empty list). */
  problems(): ConfigProblem[];
  cleanup(): void;
}

export function copyExample(): ExampleCopy {
  const root = mkdtempSync(join(tmpdir(), 'tp-example-'));
  for (const dir of ['config', 'flows']) cpSync(join(repoRoot, dir), join(root, dir), { recursive: true });
  const configDir = join(root, 'config');
  const flowsDir = join(root, 'flows');
  return {
    configDir,
    flowsDir,
    write(path, text) {
      const file = join(root, path);
      writeFileSync(file, text);
      return file;
    },
    problems() {
      try {
        loadConfig({ configDir, flowsDir, adapters, env: {} });
        return [];
      } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
      }
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
