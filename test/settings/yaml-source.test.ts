// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are YAML with ${ENV} references
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveEnvRefs } from '../../src/settings/env-refs.ts';
import { readYamlFile } from '../../src/settings/yaml-file.ts';
import { formatPath, locate, parseYaml, toData } from '../../src/settings/yaml-source.ts';

const text = ['server:', '  port: 80', 'steps:', '  - say: hi', '  - set:', '      tags: [a, b]', ''].join('\n');

describe('locate', () => {
  const { source, problems } = parseYaml('f.yaml', text);

  it('finds values inside mappings and lists', () => {
    expect(problems).toEqual([]);
    expect(locate(source, ['server', 'port'])).toEqual({ line: 2, column: 9 });
    expect(locate(source, ['steps', 1, 'set', 'tags', 1])).toEqual({ line: 6, column: 17 });
  });

  it('finds the key itself when asked', () => {
    expect(locate(source, ['steps', 0, 'say'], { key: true })).toEqual({ line: 4, column: 5 });
  });

  it('points at the nearest enclosing setting when the path does not exist', () => {
    expect(locate(source, ['server', 'host'])).toEqual({ line: 2, column: 3 });
    expect(locate(source, ['steps', 7])).toEqual({ line: 4, column: 3 });
  });

  it('reads an empty file as an empty mapping, located at line 1', () => {
    const empty = parseYaml('e.yaml', '').source;
    expect(toData(empty)).toEqual({});
    expect(locate(empty, ['name'])).toEqual({ line: 1, column: 1 });
  });
});

describe('formatPath', () => {
  it('writes dotted keys, list indexes and quoted odd keys', () => {
    expect(formatPath(['channels', 'webchat', 'enabled'])).toBe('channels.webchat.enabled');
    expect(formatPath(['steps', 2, 'say'])).toBe('steps[2].say');
    expect(formatPath(['hours', 'a b'])).toBe('hours["a b"]');
    expect(formatPath([])).toBe('');
  });
});

describe('resolveEnvRefs', () => {
  const resolve = (yaml: string, env: Record<string, string>) => {
    const { source } = parseYaml('env.yaml', yaml);
    const result = resolveEnvRefs(source, env);
    return { data: toData(source), ...result };
  };

  it('substitutes in values only, never in keys, and leaves numbers alone', () => {
    const r = resolve('${KEY}: ${VALUE}\nlist: ["${A}-${B:-b}", 3]\n', { KEY: 'k', VALUE: 'v', A: 'a' });
    expect(r.data).toEqual({ '${KEY}': 'v', list: ['a-b', 3] });
    expect([...r.fromEnv]).toEqual(['["${KEY}"]', 'list[0]']);
    expect(r.problems).toEqual([]);
  });

  it('keeps an empty variable empty, but lets :- replace it', () => {
    expect(resolve('a: "${E}"\nb: "${E:-d}"\n', { E: '' }).data).toEqual({ a: '', b: 'd' });
  });

  it('reports each missing variable at its line', () => {
    const r = resolve('a: ok\nb:\n  c: "x ${MISSING_ONE} ${MISSING_TWO}"\n', {});
    expect(r.problems.map((p) => [p.problem.line, p.problem.path, p.problem.message])).toEqual([
      [3, 'b.c', 'environment variable MISSING_ONE is not set'],
      [3, 'b.c', 'environment variable MISSING_TWO is not set'],
    ]);
    expect(r.problems[0]?.at).toEqual(['b', 'c']);
  });
});

describe('readYamlFile', () => {
  it('refuses a document whose aliases expand without bound, instead of crashing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'touchpoint-yaml-'));
    try {
      const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 8; i++)
        levels.push(
          `l${i}: &l${i} [${Array(10)
            .fill(i === 1 ? '*a' : `*l${i - 1}`)
            .join(', ')}]`,
        );
      const file = join(dir, 'bomb.yaml');
      writeFileSync(file, `${levels.join('\n')}\n`);
      const { problems } = readYamlFile(file, {});
      expect(problems).toEqual([
        expect.objectContaining({ file, message: expect.stringMatching(/^cannot be read as data/) }),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
