import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { ConfigProblem } from '../errors.ts';
import { type Env, type EnvProblem, resolveEnvRefs } from './env-refs.ts';
import { formatPath, parseYaml, toData, type YamlSource } from './yaml-source.ts';
import { issuesToProblems } from './zod-problems.ts';

/** One settings file, read and parsed, with its `${ENV}` references resolved. */
export interface YamlFile {
  file: string;
  /** Null when the file could not be read or has YAML syntax errors. */
  source: YamlSource | null;
  data: unknown;
  fromEnv: Set<string>;
  envProblems: EnvProblem[];
}

/** Reads and parses one file; unreadable files and syntax errors are returned as problems. */
export function readYamlFile(file: string, env: Env): { yaml: YamlFile; problems: ConfigProblem[] } {
  const empty: YamlFile = { file, source: null, data: null, fromEnv: new Set(), envProblems: [] };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'EISDIR' ? 'is a folder' : 'cannot be read';
    return {
      yaml: empty,
      problems: [{ file, line: null, message: `${reason}: ${(err as Error).message}`, fix: 'check the file' }],
    };
  }
  const { source, problems } = parseYaml(file, text);
  if (problems.length > 0) return { yaml: empty, problems };
  const { problems: envProblems, fromEnv } = resolveEnvRefs(source, env);
  let data: unknown;
  try {
    data = toData(source);
  } catch (err) {
    // the yaml package refuses documents whose aliases expand too far (a "billion laughs" file)
    const message = `cannot be read as data: ${(err as Error).message}`;
    return { yaml: empty, problems: [{ file, line: null, message, fix: 'use fewer `*alias` references' }] };
  }
  return { yaml: { file, source, data, fromEnv, envProblems }, problems: [] };
}

/**
 * Validates the file (or part of it: `data` at `prefix`) against `schema`.
 * Settings whose environment variable is missing are not reported twice.
 */
export function validateYaml<T>(
  yaml: YamlFile,
  schema: z.ZodType<T>,
  opts: { data?: unknown; prefix?: PropertyKey[]; extraRootKeys?: string[] } = {},
): { value: T | null; problems: ConfigProblem[] } {
  if (!yaml.source) return { value: null, problems: [] };
  const data = opts.data === undefined ? yaml.data : opts.data;
  const result = schema.safeParse(data);
  if (result.success) return { value: result.data, problems: [] };
  const missing = new Set(yaml.envProblems.map((p) => formatPath(p.at)));
  const problems = issuesToProblems(result.error.issues, {
    source: yaml.source,
    schema,
    data,
    prefix: opts.prefix ?? [],
    extraRootKeys: opts.extraRootKeys ?? [],
    fromEnv: yaml.fromEnv,
  }).filter((p) => !(p.path && missing.has(p.path)));
  return { value: null, problems };
}
