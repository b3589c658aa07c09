import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SOURCE = /\.(c|m)?(t|j)sx?$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && SOURCE.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Every import that crosses the door the wrong way: an adapter importing a core
 * file other than src/channel/index.ts, or a core file importing an adapter.
 * TypeScript's own scanner finds import/export-from, `import x = require()` and
 * literal `import()` specifiers, and skips comments and strings.
 */
function crossings(root: string): string[] {
  const src = join(root, 'src');
  const adapters = join(root, 'adapters');
  const door = join(src, 'channel', 'index.ts');
  const inside = (file: string, dir: string) => !relative(dir, file).startsWith('..');
  const found: string[] = [];
  for (const file of [...sourceFiles(src), ...sourceFiles(adapters)]) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.') && !fileName.startsWith('/')) continue;
      const target = resolve(dirname(file), fileName);
      const wrong = inside(file, adapters) ? inside(target, src) && target !== door : inside(target, adapters);
      if (wrong) found.push(`${relative(root, file)} imports ${fileName}`);
    }
  }
  return found;
}

describe('the door between the core and the adapters', () => {
  it('adapters import the core only through src/channel/index.ts, and the core never imports adapters', () => {
    expect(crossings(resolve(import.meta.dirname, '../..'))).toEqual([]);
  });

  it('sees every kind of import that crosses it', () => {
    const root = mkdtempSync(join(tmpdir(), 'boundary-'));
    try {
      for (const dir of ['src/channel', 'adapters/x']) mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, 'src/channel/index.ts'), "export type { A } from '../errors.ts';\n");
      writeFileSync(join(root, 'src/errors.ts'), "export { adapters } from '../adapters/registry.ts';\n");
      writeFileSync(
        join(root, 'adapters/x/a.ts'),
        [
          "import { ok } from '../../src/channel/index.ts';",
          "import type { Clock } from '../../src/clock.ts';",
          "export * from '../../src/errors.ts';",
          '// import { x } from "../../src/ids.ts";',
          "const later = () => import('../../src/log.ts');",
          "import { local } from './b.ts';",
          "import { z } from 'zod';",
        ].join('\n'),
      );
      expect(crossings(root)).toEqual([
        'src/errors.ts imports ../adapters/registry.ts',
        'adapters/x/a.ts imports ../../src/clock.ts',
        'adapters/x/a.ts imports ../../src/errors.ts',
        'adapters/x/a.ts imports ../../src/log.ts',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
