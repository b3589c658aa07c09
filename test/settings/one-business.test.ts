import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './helpers.ts';

describe('the example is one business', () => {
  it('names Harbour Street Bakery and its own domain everywhere in config/ and flows/', () => {
    const business = parse(readFileSync(join(repoRoot, 'config/business.yaml'), 'utf8')) as { name: string };
    expect(business.name).toBe('Harbour Street Bakery');
    for (const dir of ['config', 'flows']) {
      for (const file of readdirSync(join(repoRoot, dir)).filter((f) => f.endsWith('.yaml'))) {
        const text = readFileSync(join(repoRoot, dir, file), 'utf8');
        // Every display name and email domain of the example is the bakery's.
        for (const m of text.matchAll(/displayName: (.+)/g)) expect(m[1], `${dir}/${file}`).toBe(business.name);
        for (const m of text.matchAll(/@([a-z0-9.-]+\.example)\b/g))
          expect(m[1], `${dir}/${file}`).toBe('harbourstreetbakery.example');
      }
    }
  });

  it('keeps the command executable in the repository, so npm install changes no file mode', () => {
    const entry = execFileSync('git', ['ls-files', '-s', 'bin/touchpoint.ts'], { cwd: repoRoot, encoding: 'utf8' });
    expect(entry.split(' ')[0]).toBe('100755');
  });
});
