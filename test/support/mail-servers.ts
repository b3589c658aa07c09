import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, killGroup, stopProcess } from './mail-servers/daemon.ts';
import { DOVECOT_BINARY, type MailUser, startDovecot, writeDovecotConfig } from './mail-servers/dovecot.ts';
import { POSTFIX_MASTER, startPostfix, writePostfixConfig } from './mail-servers/postfix.ts';

export type { MailUser };

/**
 * Private Dovecot (IMAP + LMTP) and Postfix (SMTP) instances on 127.0.0.1,
 * each from its own config files in a temporary folder. Postfix hands every
 * message to Dovecot over LMTP, so nothing can leave the machine. Used by the
 * email adapter's tests and benchmarks.
 */

const run = promisify(execFile);

const binaries = {
  dovecot: { path: DOVECOT_BINARY, pkg: 'dovecot-core' },
  imap: { path: '/usr/lib/dovecot/imap', pkg: 'dovecot-imapd' },
  lmtp: { path: '/usr/lib/dovecot/lmtp', pkg: 'dovecot-lmtpd' },
  master: { path: POSTFIX_MASTER, pkg: 'postfix' },
  postqueue: { path: '/usr/sbin/postqueue', pkg: 'postfix' },
} as const;

export interface MailServers {
  dir: string;
  host: '127.0.0.1';
  imapPort: number;
  lmtpPort: number;
  smtpPort: number;
  users: MailUser[];
  /** The password of a configured user. */
  password(address: string): string;
  /** Stops Dovecot (IMAP clients are disconnected; Postfix queues what arrives meanwhile). */
  stopDovecot(): Promise<void>;
  /** Starts Dovecot again on the same ports and mail folders. */
  startDovecot(): Promise<void>;
  /** Asks Postfix to deliver its deferred queue now. */
  flushQueue(): Promise<void>;
  /** Both servers' logs, for failure messages. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

export const defaultMailUsers = ['support@shop.test', 'customer@example.test', 'colleague@example.test'];

/**
 * Throws, naming the Debian packages, when a server binary is missing, and
 * when not running as root (Postfix's master insists): these tests never skip silently.
 */
export function assertMailServersInstalled(
  exists: (path: string) => boolean = existsSync,
  uid: number = process.getuid?.() ?? 0,
): void {
  const missing = Object.values(binaries).filter((b) => !exists(b.path));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((b) => b.pkg))];
    throw new Error(
      `mail server binaries missing: ${missing.map((b) => b.path).join(', ')}. ` +
        `Install the Debian packages: apt-get install --no-install-recommends ${pkgs.join(' ')}`,
    );
  }
  if (uid !== 0) throw new Error('the private Postfix and Dovecot instances need root: run these tests as root');
}

export async function startMailServers(opts: { users?: string[] } = {}): Promise<MailServers> {
  assertMailServersInstalled();
  const dir = await mkdtemp(join(tmpdir(), 'tp-mail-'));
  // Dovecot's auth and mail processes run as other users: they must reach into the folder.
  await chmod(dir, 0o755);
  const users = (opts.users ?? defaultMailUsers).map((address) => ({
    address,
    password: `pw-${address.split('@')[0]}`,
  }));
  const [imapPort, lmtpPort, smtpPort] = (await freePorts(3)) as [number, number, number];
  const running: ChildProcess[] = [];
  const killAll = () => {
    for (const p of running) killGroup(p, 'SIGKILL');
  };
  process.once('exit', killAll);

  let dovecot: ChildProcess | null = null;
  let postfix: ChildProcess | null = null;
  try {
    await writeDovecotConfig(dir, users, imapPort, lmtpPort);
    await writePostfixConfig(dir, smtpPort, lmtpPort);
    dovecot = await startDovecot(dir, imapPort, lmtpPort);
    running.push(dovecot);
    postfix = await startPostfix(dir, smtpPort);
    running.push(postfix);
  } catch (err) {
    killAll();
    process.off('exit', killAll);
    const logs = await readLogs(dir);
    // TP_KEEP_MAIL_DIR=1 keeps the folder to debug a server that does not start.
    if (!process.env.TP_KEEP_MAIL_DIR) await rm(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n${logs}`);
  }

  return {
    dir,
    host: '127.0.0.1',
    imapPort,
    lmtpPort,
    smtpPort,
    users,
    password(address) {
      const u = users.find((x) => x.address === address);
      if (!u) throw new Error(`no mail user ${address}`);
      return u.password;
    },
    async stopDovecot() {
      if (!dovecot) return;
      await stopProcess(dovecot);
      running.splice(running.indexOf(dovecot), 1);
      dovecot = null;
    },
    async startDovecot() {
      if (dovecot) return;
      dovecot = await startDovecot(dir, imapPort, lmtpPort);
      running.push(dovecot);
    },
    async flushQueue() {
      await run(binaries.postqueue.path, ['-c', join(dir, 'postfix'), '-f']);
    },
    logs: () => readLogs(dir),
    async stop() {
      await Promise.all(running.map(stopProcess));
      running.length = 0;
      process.off('exit', killAll);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function readLogs(dir: string): Promise<string> {
  const read = (path: string) => readFile(path, 'utf8').catch(() => '(no log)');
  const files = ['dovecot/output.log', 'dovecot/dovecot.log', 'postfix/output.log', 'postfix/postfix.log'];
  const texts = await Promise.all(files.map((f) => read(join(dir, f))));
  return files.map((f, i) => `--- ${f}\n${(texts[i] ?? '').slice(-4000)}`).join('\n');
}
