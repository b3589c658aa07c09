import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { adapters } from '../../adapters/registry.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { ConfigError } from '../../src/errors.ts';
import { copyExample } from '../flow-language/example.ts';
import { FUZZ, jsonValue } from './support.ts';

/**
 * The config loader on YAML of every shape, in each file of the example
 * business: it loads, or it refuses with a ConfigError naming the problems;
 * nothing else escapes it.
 */
const copy = copyExample();
const files = readdirSync(copy.configDir).filter((f) => f.endsWith('.yaml'));
const originals = new Map(files.map((f) => [f, readFileSync(join(copy.configDir, f), 'utf8')]));

/** The file as it is with a few characters inserted, removed or repeated somewhere: near misses of real config. */
const edited = (text: string) =>
  fc
    .array(
      fc.record({
        at: fc.nat({ max: text.length }),
        cut: fc.nat({ max: 12 }),
        insert: fc.oneof(
          fc.string({ maxLength: 6 }),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an environment reference, as YAML files hold them
          fc.constantFrom(':', '- ', '  ', '\n', '{', '[', '&a', '*a', '!!', '${X}', '"'),
        ),
      }),
      { minLength: 1, maxLength: 4 },
    )
    .map((edits) =>
      edits.reduce(
        (t, e) => `${t.slice(0, Math.min(e.at, t.length))}${e.insert}${t.slice(Math.min(e.at, t.length) + e.cut)}`,
        text,
      ),
    );

const yamlText = fc.oneof(
  fc.string(),
  jsonValue.map((v) => stringify(v)),
  fc.constantFrom('', '~', '- a\n- b', 'a: &x [*x]', '!!binary AAAA', 'key: value\nkey: again', '\t', '%YAML 9.9\n---'),
);

function load(): void {
  loadConfig({ configDir: copy.configDir, flowsDir: copy.flowsDir, adapters, env: {} });
}

describe('fuzzing the config loader', () => {
  afterAll(() => copy.cleanup());

  it('loads or names the problems, for any YAML in any file', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...files)
          .chain((file) => fc.tuple(fc.constant(file), fc.oneof(yamlText, edited(originals.get(file) ?? '')))),
        ([file, text]) => {
          writeFileSync(join(copy.configDir, file), text);
          try {
            load();
          } catch (err) {
            expect(err).toBeInstanceOf(ConfigError);
            expect((err as ConfigError).problems.length).toBeGreaterThan(0);
          } finally {
            writeFileSync(join(copy.configDir, file), originals.get(file) ?? '');
          }
        },
      ),
      { ...FUZZ, numRuns: 40 },
    );
  });
});
