import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The folder of src/ a file belongs to (files at the top of src/ are each their own). */
const folderOf = (file: string) => relative(src, file).split('/').slice(0, -1)[0] ?? relative(src, file);
const specifiers =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Folder → folders it imports, with one file pair as the example of each. */
function folderImports(): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const file of files(src)) {
    for (const m of readFileSync(file, 'utf8').matchAll(specifiers)) {
      const target = resolve(dirname(file), (m[1] ?? m[2]) as string);
      if (!target.startsWith(src)) continue;
      const [a, b] = [folderOf(file), folderOf(target)];
      if (a === b) continue;
      const of = out.get(a) ?? new Map<string, string>();
      of.set(b, `${relative(root, file)} -> ${relative(root, target)}`);
      out.set(a, of);
    }
  }
  return out;
}

describe('the folders of src/', () => {
  it('never import each other both ways', () => {
    const imports = folderImports();
    const loops: string[] = [];
    for (const [a, to] of imports)
      for (const [b, example] of to) {
        const back = imports.get(b)?.get(a);
        if (back && a < b) loops.push(`${a} <-> ${b}: ${example}; ${back}`);
      }
    expect(loops).toEqual([]);
  });

  it('are seen by this check: the decision core imports the store', () => {
    expect(folderImports().get('decide')?.has('store')).toBe(true);
  });
});
