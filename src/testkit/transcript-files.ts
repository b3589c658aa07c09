import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigProblem } from '../errors.ts';
import type { Env } from '../settings/env-refs.ts';
import type { Settings } from '../settings/types.ts';
import { readYamlFile, validateYaml } from '../settings/yaml-file.ts';
import { locate } from '../settings/yaml-source.ts';
import { runTranscript } from './transcript-run.ts';
import { type Transcript, transcriptFile } from './transcript-schema.ts';

/** Finding, reading and running transcript files (`*.yaml`), and which flows they leave untested. */

export interface TranscriptResult {
  file: string;
  name: string;
  passed: boolean;
  failures: string[];
  /** Flows that ran during the transcript. */
  flows: string[];
}

export interface TranscriptReport {
  results: TranscriptResult[];
  /** Files that are not valid transcripts. */
  problems: ConfigProblem[];
  /** Flows no transcript ran. */
  untested: string[];
}

/** The transcript files in `target` (a folder, searched one level deep, or a file). */
export function findTranscripts(target: string): string[] {
  const stat = statSync(target, { throwIfNoEntry: false });
  if (!stat) return [];
  if (stat.isFile()) return [target];
  return readdirSync(target)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => join(target, n));
}

export function readTranscript(
  file: string,
  env: Env,
): { transcript: Transcript | null; problems: ConfigProblem[]; where: (step: number) => string } {
  const read = readYamlFile(file, env);
  const { value, problems } = validateYaml(read.yaml, transcriptFile);
  const source = read.yaml.source;
  const where = (step: number) => {
    const line = source ? locate(source, ['script', step]).line : null;
    return line === null ? `${file} step ${step + 1}` : `${file}:${line}`;
  };
  return {
    transcript: value,
    problems: [...read.problems, ...read.yaml.envProblems.map((p) => p.problem), ...problems],
    where,
  };
}

export async function runTranscriptFiles(
  settings: Settings,
  files: string[],
  env: Env,
  onResult?: (r: TranscriptResult) => void,
): Promise<TranscriptReport> {
  const results: TranscriptResult[] = [];
  const problems: ConfigProblem[] = [];
  for (const file of files) {
    const { transcript, problems: invalid, where } = readTranscript(file, env);
    problems.push(...invalid);
    if (!transcript) continue;
    const run = await runTranscript(settings, transcript, where);
    const result = {
      file,
      name: transcript.name,
      passed: run.failures.length === 0,
      failures: run.failures,
      flows: run.flows,
    };
    results.push(result);
    onResult?.(result);
  }
  const tested = new Set(results.flatMap((r) => r.flows));
  const untested = settings.flows.map((f) => f.id).filter((id) => !tested.has(id));
  return { results, problems, untested };
}
