import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer, Socket } from 'node:net';

/** Starting, probing and stopping the daemons behind the mail test servers. */

export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export function spawnServer(cmd: string, args: string[], env: Record<string, string>, output: string): ChildProcess {
  // Own process group, so stopping it also ends the daemons it forked. Output goes to a file: the
  // daemons keep it open, and Postfix reports start-up errors there before its own log exists.
  const fd = openSync(output, 'a');
  const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  proc.unref();
  return proc;
}

export function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // Already gone.
  }
}

export async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  killGroup(proc, 'SIGTERM');
  const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  // Children the master forked may outlive it by a moment.
  killGroup(proc, 'SIGKILL');
}

/** Resolves once the server on `port` answers with its greeting; rejects if the process dies or 10 s pass. */
export async function waitForGreeting(proc: ChildProcess, port: number, greeting: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${proc.spawnfile} exited (${proc.exitCode ?? proc.signalCode}) before listening on ${port}`);
    }
    if (await greets(port, greeting)) return;
    await new Promise((r) => setTimeout(r, Math.min(10 * 2 ** attempt, 100)));
  }
  throw new Error(`${proc.spawnfile} did not answer on 127.0.0.1:${port} within 10 s`);
}

function greets(port: number, greeting: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2_000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('data', (chunk) => done(chunk.toString().startsWith(greeting)));
    sock.connect(port, '127.0.0.1');
  });
}
