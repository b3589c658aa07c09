import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReference } from '../../src/cli/reference.ts';
import { repoRoot } from '../flow-language/example.ts';

describe('the flow language reference', () => {
  it('is up to date in docs/flow-reference.md (npm run reference writes it)', () => {
    const committed = readFileSync(join(repoRoot, 'docs/flow-reference.md'), 'utf8');
    expect(committed).toBe(renderReference());
  });

  it('documents what check and test-flows accept, from their schemas', () => {
    const text = renderReference();
    for (const piece of [
      '### Step `ask`',
      '`fromMessage`',
      '`whileHandedOff`',
      '`unless`',
      '`within`',
      '### A transcript file › script › agent',
    ])
      expect(text).toContain(piece);
  });
});

describe('the CLI output', () => {
  it('ends quietly when the reader closes the pipe (test-flows | head)', async () => {
    // more than a pipe holds, written line by line as test-flows does; the reader leaves after the first chunk
    const script =
      "import('./src/cli/output.ts').then(({ processIO }) => { for (let i = 0; i < 20000; i++) processIO.stdout('line ' + i + ' ' + 'x'.repeat(200) + '\\n'); })";
    const child = spawn(process.execPath, ['-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(first).toMatch(/^line 0 x+/);
    expect(stderr).not.toMatch(/EPIPE|Error|at /);
    expect(code).toBe(0);
  });
});
