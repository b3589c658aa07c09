import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { adapters as shippedAdapters } from '../../adapters/registry.ts';
import type { AdapterDefinition, AdapterRegistry } from '../../src/channel/contract.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { ConfigError, type ConfigProblem } from '../../src/errors.ts';
import type { Env } from '../../src/settings/env-refs.ts';

export const repoRoot = resolve(import.meta.dirname, '../..');

function definition<S>(channel: string, settings: z.ZodType<S>): AdapterDefinition<S> {
  return {
    channel,
    settings,
    create: () => {
      throw new Error('settings tests never create adapters');
    },
  };
}

/**
 * The shipped adapters, with small schemas of our own for webchat, webform and
 * sms so the errors these tests read stay predictable.
 */
export const testAdapters: AdapterRegistry = {
  ...shippedAdapters,
  webchat: definition('webchat', z.object({ title: z.string().default('Chat with us') }).strict()),
  webform: definition('webform', z.object({}).strict()),
  sms: definition(
    'sms',
    z
      .object({ accountSid: z.string().regex(/^AC\w+$/, 'an account SID such as AC123'), authToken: z.string().min(8) })
      .strict(),
  ),
};

export interface TempBusiness {
  root: string;
  configDir: string;
  flowsDir: string;
  /** Writes a file relative to the temp root, e.g. `config/router.yaml`. */
  write(path: string, text: string): string;
  remove(path: string): void;
  cleanup(): void;
}

/** A copy of the example business (config/ and flows/) in a temporary folder. */
export function copyExample(): TempBusiness {
  const root = mkdtempSync(join(tmpdir(), 'touchpoint-settings-'));
  cpSync(join(repoRoot, 'config'), join(root, 'config'), { recursive: true });
  cpSync(join(repoRoot, 'flows'), join(root, 'flows'), { recursive: true });
  return {
    root,
    configDir: join(root, 'config'),
    flowsDir: join(root, 'flows'),
    write(path, text) {
      const file = join(root, path);
      writeFileSync(file, text);
      return file;
    },
    remove(path) {
      rmSync(join(root, path), { recursive: true, force: true });
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export function load(t: TempBusiness, env: Env = {}, adapters: AdapterRegistry = testAdapters) {
  return loadConfig({ configDir: t.configDir, flowsDir: t.flowsDir, adapters, env });
}

/** The problems loadSettings reports; fails the test when it loads without any. */
export function problemsOf(t: TempBusiness, env: Env = {}, adapters: AdapterRegistry = testAdapters): ConfigProblem[] {
  try {
    load(t, env, adapters);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError, but the settings loaded');
}
