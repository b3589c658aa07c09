import { isAlias, isMap, isPair, isScalar, isSeq, type Scalar } from 'yaml';
import type { ConfigProblem } from '../errors.ts';
import { formatPath, locate, type SettingPath, type YamlSource } from './yaml-source.ts';

export type Env = Record<string, string | undefined>;

/** A problem with a reference, and the setting it is in (so a disabled channel's can be dropped). */
export interface EnvProblem {
  at: PropertyKey[];
  problem: ConfigProblem;
}

export interface EnvResolution {
  problems: EnvProblem[];
  /** Formatted paths of the values that came from the environment: never echoed back in messages (secrets). */
  fromEnv: Set<string>;
}

/** `$${…}` is a literal `${…}`; `${NAME}` and `${NAME:-default}` are references. */
const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const INNER = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string value of the
 * document, in place, from `env`. The default applies when the variable is
 * unset or empty, as in the shell. Keys are never substituted.
 */
export function resolveEnvRefs(source: YamlSource, env: Env): EnvResolution {
  const problems: EnvProblem[] = [];
  const fromEnv = new Set<string>();
  walkScalars(source, source.doc.contents, [], (node, path) => {
    if (typeof node.value !== 'string' || !node.value.includes('${')) return;
    let substituted = false;
    node.value = node.value.replace(REFERENCE, (whole, inner: string | undefined) => {
      if (inner === undefined) return '${';
      const m = INNER.exec(inner);
      const where = { file: source.file, ...lineOf(source, path), path: formatPath(path) };
      if (!m) {
        problems.push({
          at: path,
          problem: {
            ...where,
            message: `\`${whole}\` is not a valid environment reference`,
            fix: `write \${NAME} or \${NAME:-default}, where NAME has letters, digits and _ (write $\${ for a literal \${)`,
          },
        });
        return whole;
      }
      const name = m[1] as string;
      const value = env[name];
      substituted = true;
      if (value !== undefined && value !== '') return value;
      if (m[2] !== undefined) return m[2];
      if (value === '') return '';
      problems.push({
        at: path,
        problem: {
          ...where,
          message: `environment variable ${name} is not set`,
          fix: `export ${name}=… before starting, write \${${name}:-default}, or remove the setting`,
        },
      });
      return '';
    });
    if (substituted) fromEnv.add(formatPath(path));
  });
  return { problems, fromEnv };
}

function lineOf(source: YamlSource, path: SettingPath) {
  const pos = locate(source, path);
  return { line: pos.line, column: pos.column };
}

function walkScalars(
  source: YamlSource,
  node: unknown,
  path: PropertyKey[],
  fn: (node: Scalar, path: PropertyKey[]) => void,
): void {
  if (isAlias(node)) return; // the anchored node is visited where it is defined
  if (isScalar(node)) fn(node, path);
  else if (isMap(node)) {
    for (const pair of node.items) {
      if (isPair(pair) && isScalar(pair.key)) walkScalars(source, pair.value, [...path, String(pair.key.value)], fn);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      walkScalars(source, item, [...path, i], fn);
    });
  }
}
