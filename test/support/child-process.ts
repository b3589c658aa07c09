import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface RouterChild {
  url: string;
  proc: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/**
 * What a child takes from the test run's environment: enough to run Node, nothing that chooses its
 * store or services. DATABASE_URL, Redis and the rest reach a child only when the caller names them.
 */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG'];

/** Starts test/support/router-child.ts and waits for the line with its URL. */
export function startRouterChild(env: Record<string, string>, timeoutMs = 20_000): Promise<RouterChild> {
  const base: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  const proc = spawn(process.execPath, ['test/support/router-child.ts'], {
    env: { ...base, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`router child did not start in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`router child exited with ${code} before serving\n${stderr}`));
    });
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      let msg: { url?: string; level?: number } | null = null;
      try {
        msg = JSON.parse(line) as { url?: string; level?: number };
      } catch {
        return;
      }
      if (msg?.url && msg.level === undefined) {
        clearTimeout(timer);
        resolve({ url: msg.url, proc, exited });
      }
    });
  });
}
