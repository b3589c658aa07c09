import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyExample, repoRoot, type TempBusiness } from '../settings/helpers.ts';

/** The real executable, run by the Node that runs the tests (Node 24: TypeScript without a build). */
const BIN = join(repoRoot, 'bin/touchpoint.ts');

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnBin(args: string[], env: Record<string, string> = {}): { child: ChildProcess; exited: Promise<Exited> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => {
    out.stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out.stderr += d.toString();
  });
  const exited = new Promise<Exited>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ...out }));
  });
  return { child, exited };
}

const run = (args: string[], env?: Record<string, string>) => spawnBin(args, env).exited;

/** Resolves with the first match of `pattern` on the child's stdout; rejects if the child exits first. */
function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = pattern.exec(seen);
      if (m) resolve(m);
    });
    child.on('close', (code) => reject(new Error(`exited with ${code} before printing ${pattern}: ${seen}${stderr}`)));
  });
}

let t: TempBusiness;
beforeEach(() => {
  t = copyExample();
});
afterEach(() => t.cleanup());

describe('bin/touchpoint.ts', () => {
  it('checks the example business: exit 0', async () => {
    const r = await run(['check']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('OK: Harbour Street Bakery');
    expect(r.code).toBe(0);
  });

  it('checks a broken config: exit 1 with file:line in the output', async () => {
    const file = t.write('config/business.yaml', 'name: Broken Bakery\nhours:\n  mon: [9-5]\n');
    const r = await run(['check', '--config', t.configDir, '--flows', t.flowsDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${file}:3:9 (hours.mon[0]): "9-5" is not valid here. Fix: use a time range such as 09:00-17:30`,
    );
  });

  it('prints JSON that parses with --json', async () => {
    const file = t.write('flows/thanks.yaml', 'id: thanks\ntrigger: { intents: [thanks] }\nsteps:\n  - say: thanx\n');
    const r = await run(['check', '--json', '--config', t.configDir, '--flows', t.flowsDir]);
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.ok).toBe(false);
    expect(parsed.problems).toContainEqual(expect.objectContaining({ file, line: 4, path: 'steps[0].say' }));
  });

  it('rejects an unknown command: exit 2', async () => {
    const r = await run(['serve']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "serve"');
  });

  it('starts the example business, serves HTTP, and stops on SIGTERM', async () => {
    const { child, exited } = spawnBin(
      ['start', '--config', t.configDir, '--flows', t.flowsDir, '--data', join(t.root, 'data')],
      { PORT: '0', TOUCHPOINT_ADMIN_TOKEN: 'a-test-admin-token-1234' },
    );
    const [, url] = await waitForOutput(child, /running at (http:\/\/\S+) \(web chat: \S+\/chat\)/);
    const res = await fetch(`${url}/chat`);
    expect(res.status).toBeLessThan(500);
    child.kill('SIGTERM');
    const r = await exited;
    expect(r.stdout).toContain('stopped');
    expect(r.code).toBe(0);
  });
});
