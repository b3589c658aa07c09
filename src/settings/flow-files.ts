import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigProblem } from '../errors.ts';
import type { Env } from './env-refs.ts';
import { type FlowDef, flowFile } from './flow-schema.ts';
import { readYamlFile, validateYaml, type YamlFile } from './yaml-file.ts';
import { locate } from './yaml-source.ts';

export interface LoadedFlow {
  flow: FlowDef;
  yaml: YamlFile;
}

const FLOW_FILE = /\.ya?ml$/;

/** Reads every flows/*.yaml (one flow per file, in file-name order) and checks that ids are unique. */
export function loadFlowFiles(flowsDir: string, env: Env): { flows: LoadedFlow[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  let names: string[];
  try {
    if (!statSync(flowsDir).isDirectory()) throw new Error('not a folder');
    names = readdirSync(flowsDir)
      .filter((n) => FLOW_FILE.test(n))
      .sort();
  } catch {
    problems.push({
      file: flowsDir,
      line: null,
      message: 'the flows folder does not exist',
      fix: 'create it (one flow per .yaml file), or pass --flows DIR',
    });
    return { flows: [], problems };
  }

  const flows: LoadedFlow[] = [];
  const seen = new Map<string, LoadedFlow>();
  for (const name of names) {
    const file = join(flowsDir, name);
    const read = readYamlFile(file, env);
    problems.push(...read.problems, ...read.yaml.envProblems.map((p) => p.problem));
    const { value, problems: invalid } = validateYaml(read.yaml, flowFile);
    problems.push(...invalid);
    if (!value || !read.yaml.source) continue;
    const loaded = { flow: value, yaml: read.yaml };
    const first = seen.get(value.id);
    if (first?.yaml.source) {
      const where = locate(first.yaml.source, ['id']);
      problems.push({
        file,
        ...locate(read.yaml.source, ['id']),
        path: 'id',
        message: `flow id \`${value.id}\` is already used in ${first.yaml.file}:${where.line}`,
        fix: 'give every flow its own id',
      });
      continue;
    }
    seen.set(value.id, loaded);
    flows.push(loaded);
  }
  return { flows, problems };
}
